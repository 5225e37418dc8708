"""Launchers shared by the tests and the benchmarks: the app as a process, PostgreSQL, an HTTP mirror."""
