// The step's thread pool (parallel.h): workers wait on a condition variable for a new generation of work, run
// their chunk and count down; the caller runs chunk 0 itself and waits for the count. No spinning: on a shared
// 2-vCPU machine a spinning thread takes the core the other one needs.
#include "parallel.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace nnc {

namespace {

class Pool {
 public:
  explicit Pool(int workers) {
    for (int i = 0; i < workers; i++) threads_.emplace_back([this, i] { loop(i + 1); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_++;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  int size() const { return static_cast<int>(threads_.size()) + 1; }

  /** Runs chunk(i) for i in 0..chunks-1, chunk 0 on the calling thread. */
  void run(int chunks, const std::function<void(int)>& chunk) {
    unsigned int csr = 0;
#if defined(__SSE__)
    csr = _mm_getcsr();
#endif
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &chunk;
      chunks_ = chunks;
      pending_ = chunks - 1;
      csr_ = csr;
      generation_++;
    }
    wake_.notify_all();
    chunk(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(int index) {
    unsigned long seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      unsigned int csr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (index >= chunks_) continue;
        job = job_;
        csr = csr_;
      }
#if defined(__SSE__)
      _mm_setcsr(csr);
#endif
      inside_ = true;
      (*job)(index);
      inside_ = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  int chunks_ = 0, pending_ = 0;
  unsigned int csr_ = 0;
  unsigned long generation_ = 0;
  bool stop_ = false;

 public:
  static thread_local bool inside_;
};

thread_local bool Pool::inside_ = false;

int gThreads = 1;
Pool* gPool = nullptr;

}  // namespace

void setThreads(int threads) { gThreads = std::min(std::max(threads, 1), 8); }

int threads() { return gThreads; }

void parallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
  const size_t chunks = std::min(static_cast<size_t>(gThreads), grain > 0 ? n / grain : n);
  if (chunks < 2 || Pool::inside_) {
    fn(0, n);
    return;
  }
  // Grown, never shrunk, and never destroyed: the workers sleep between steps and end with the process.
  if (gPool == nullptr || gPool->size() < gThreads) {
    delete gPool;
    gPool = new Pool(gThreads - 1);
  }
  const int count = static_cast<int>(chunks);
  Pool::inside_ = true;
  gPool->run(count, [&](int i) {
    const size_t begin = n * static_cast<size_t>(i) / count, end = n * static_cast<size_t>(i + 1) / count;
    if (begin < end) fn(begin, end);
  });
  Pool::inside_ = false;
}

}  // namespace nnc
