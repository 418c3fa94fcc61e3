// Splitting the step's loops over a few threads of nnc's own (not OpenBLAS's: its spinning workers cost more than
// they give on 2 vCPUs). The pool is created once, on first use; parallelFor hands each thread one contiguous
// chunk of [0, n) and returns when all are done. Every split in step.cc leaves each output element computed by the
// same operations in the same order as on one thread (loops over samples, elements or columns; whole matrix
// products side by side), so a step's results are bit-identical for any thread count.
#pragma once
#include <cstddef>
#include <functional>

namespace nnc {

/** Threads the step uses (1 = everything on the calling thread). Clamped to 1..8. */
void setThreads(int threads);
int threads();

/**
 * Runs fn(begin, end) on chunks of [0, n), one per thread, when there are at least two chunks of `grain` items;
 * else fn(0, n) on the calling thread. Calls from inside a chunk run serially. The workers take the caller's
 * floating-point control state (flush-to-zero, denormals-are-zero), so results do not depend on the thread.
 */
void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

}  // namespace nnc
