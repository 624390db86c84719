"""Import this FIRST (before numpy, torch or sklearn): it reads --threads N from the command line and exports it as
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS, which the native libraries only read when they load.
Debian's torch calls sgemm through libblas.so.3, which is OpenBLAS (pthreads) when libopenblas0-pthread is installed;
without this, OpenBLAS would use every core even with --threads 1.
OMP_WAIT_POLICY defaults to PASSIVE here (export it to override): torch's OpenMP workers otherwise busy-wait after
each parallel region while OpenBLAS's own pthreads need the same cores, which on 2 cores made 2-thread training
10-30x slower than 1-thread in our measurements (see README, caveats)."""
import os
import sys


def _threads(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


THREADS = _threads(sys.argv[1:])
if THREADS.isdigit() and int(THREADS) >= 1:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = THREADS
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def loaded_blas():
    """Paths of the BLAS/LAPACK libraries mapped into this process (which sgemm actually runs)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {l.split()[-1] for l in f if "/" in l}
        return sorted(p for p in paths if os.path.basename(p).startswith("lib")
                      and any(k in os.path.basename(p) for k in ("blas", "lapack", "mkl")))
    except OSError:
        return []
