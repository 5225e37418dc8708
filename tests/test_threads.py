"""Query-time BLAS runs on one thread: OpenBLAS's spinning workers would starve the query embedder."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

# numpy first, as a notebook or a test runner does, then the package: its BLAS is already loaded.
REPORT = (
    "import numpy, assistant, json; from threadpoolctl import threadpool_info; "
    "print(json.dumps(sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'})))"
)


def blas_threads(**env: str) -> list[int]:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | env
    done = subprocess.run([sys.executable, "-c", REPORT], env=environment, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_package_limits_blas_to_one_thread():
    assert blas_threads() == [1]


def test_a_users_own_blas_thread_count_is_kept():
    assert blas_threads(OPENBLAS_NUM_THREADS="2") == [2]
