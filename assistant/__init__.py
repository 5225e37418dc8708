"""Sentra IKM Assistant: answers Indonesian questions about Sentra IKM regulations with pasal-level citations."""

import os

from threadpoolctl import threadpool_limits

# Query-time matrix products are small (a few thousand passages × 384 dimensions), and OpenBLAS runs
# them on worker threads that busy-wait after each product: on 2 cores those spinning threads starve
# the torch threads embedding the next query (measured 40 -> 130 ms per query). One BLAS thread is
# what such products need. A user's own OPENBLAS_NUM_THREADS is kept; the environment variable
# reaches BLAS libraries loaded later, threadpoolctl the ones already loaded (numpy imported first).
if "OPENBLAS_NUM_THREADS" not in os.environ:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    threadpool_limits(limits=1, user_api="blas")

__version__ = "0.1.0"
