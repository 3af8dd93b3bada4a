"""Part I, operating systems: child processes, CPU- and I/O-bound workloads, an access log."""
