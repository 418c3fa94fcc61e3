// Node-API surface of nnc-native. Every buffer is named by a byte offset into one ArrayBuffer (the tfjs wasm
// backend's heap, where the model's weights and optimizer slots live), checked against its length before use.
//   createPlan(desc: Float64Array) -> plan          describes layers, loss and optimizer (see native.ts)
//   step(plan, heap: ArrayBuffer, offsets: Float64Array, batch, learningRate, out: Float64Array)
//        offsets: [x, y, yIsInt32, accBeta1, accBeta2, masks, then per parameter: value, m, v, then per state
//        (batch_norm's moving mean and variance, updated in place): value]; -1 where unused
//        out[0] = mean loss, out[1] = accuracy
//   predict(plan, heap, offsets, batch, outOffset)  forward pass without dropout, probabilities at outOffset
//   seed(plan, seed), fixedMasks(plan, on), paramSizes(plan) -> number[], stateSizes(plan) -> number[],
//   info() -> { blas, blasThreads, threads }, setThreads(n): nnc's own step threads (NNC_NATIVE_THREADS at load)
#include <node_api.h>

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include "parallel.h"
#include "step.h"

extern "C" {
char* openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}

namespace {

#define CHECK_NAPI(call)                                             \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, nullptr, "nnc-native: " #call " failed"); \
      return nullptr;                                                \
    }                                                                \
  } while (0)

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, ("nnc-native: " + message).c_str());
  return nullptr;
}

bool getArgs(napi_env env, napi_callback_info info, size_t want, napi_value* args) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, args, nullptr, nullptr) != napi_ok || argc < want) {
    napi_throw_error(env, nullptr, ("nnc-native: expected " + std::to_string(want) + " arguments").c_str());
    return false;
  }
  return true;
}

nnc::Plan* planOf(napi_env env, napi_value value) {
  void* data = nullptr;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external || napi_get_value_external(env, value, &data) != napi_ok) {
    napi_throw_type_error(env, nullptr, "nnc-native: the first argument must be a plan made by createPlan");
    return nullptr;
  }
  return static_cast<nnc::Plan*>(data);
}

bool float64Array(napi_env env, napi_value value, double** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, nullptr, "nnc-native: expected a Float64Array");
    return false;
  }
  *data = static_cast<double*>(raw);
  return true;
}

bool arrayBuffer(napi_env env, napi_value value, char** data, size_t* length) {
  void* raw = nullptr;
  if (napi_get_arraybuffer_info(env, value, &raw, length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "nnc-native: expected an ArrayBuffer");
    return false;
  }
  *data = static_cast<char*>(raw);
  return true;
}

double numberOf(napi_env env, napi_value value) {
  double v = 0;
  napi_get_value_double(env, value, &v);
  return v;
}

/** A float pointer `count` elements long at byte `offset` of the heap, or null with a JS error thrown. */
template <typename T>
T* at(napi_env env, char* heap, size_t heapLength, double offset, size_t count, const char* what) {
  if (!(offset >= 0) || static_cast<size_t>(offset) % 4 != 0 || static_cast<size_t>(offset) + count * 4 > heapLength) {
    napi_throw_range_error(env, nullptr, (std::string("nnc-native: ") + what + " lies outside the heap").c_str());
    return nullptr;
  }
  return reinterpret_cast<T*>(heap + static_cast<size_t>(offset));
}

void finalizePlan(napi_env, void* data, void*) { delete static_cast<nnc::Plan*>(data); }

napi_value CreatePlan(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!getArgs(env, info, 1, args)) return nullptr;
  double* desc;
  size_t length;
  if (!float64Array(env, args[0], &desc, &length)) return nullptr;
  nnc::Plan* plan;
  try {
    plan = new nnc::Plan(nnc::makePlan(desc, length));
  } catch (const std::string& message) {
    return throwError(env, "bad plan: " + message);
  }
  napi_value out;
  CHECK_NAPI(napi_create_external(env, plan, finalizePlan, nullptr, &out));
  return out;
}

/** Reads the offsets array into pointers; batch sizes the x/y/mask views. Returns false with a JS error thrown. */
bool bindIo(napi_env env, nnc::Plan& plan, char* heap, size_t heapLength, const double* o, size_t count, int batch,
            bool training, nnc::StepIo& io) {
  const size_t params = plan.paramSizes.size(), states = plan.stateSizes.size();
  if (count != 6 + 3 * params + states) {
    napi_throw_range_error(env, nullptr, ("nnc-native: expected " + std::to_string(6 + 3 * params + states) + " offsets").c_str());
    return false;
  }
  const int firstSize = plan.inputSize;
  if (!(io.x = at<const float>(env, heap, heapLength, o[0], static_cast<size_t>(batch) * firstSize, "x"))) return false;
  if (training) {
    io.yInt32 = o[2] != 0;
    const size_t ySize = plan.loss == nnc::SPARSE_CE ? batch : static_cast<size_t>(batch) * plan.classes;
    if (!(io.y = at<const void>(env, heap, heapLength, o[1], ySize, "y"))) return false;
    if (plan.optimizer == nnc::ADAM) {
      if (!(io.accBeta1 = at<float>(env, heap, heapLength, o[3], 1, "accBeta1"))) return false;
      if (!(io.accBeta2 = at<float>(env, heap, heapLength, o[4], 1, "accBeta2"))) return false;
    }
    if (plan.fixedMasks) {
      size_t maskCount = 0;
      for (const nnc::Layer& l : plan.layers) if (l.kind == nnc::DROPOUT && l.rate > 0) maskCount += static_cast<size_t>(batch) * l.outSize;
      if (!(io.masks = at<const float>(env, heap, heapLength, o[5], maskCount, "masks"))) return false;
    }
  }
  for (size_t p = 0; p < params; p++) {
    const size_t n = static_cast<size_t>(plan.paramSizes[p]);
    float* value = at<float>(env, heap, heapLength, o[6 + 3 * p], n, "a parameter");
    if (!value) return false;
    io.params.push_back(value);
    if (training && plan.optimizer == nnc::ADAM) {
      float* m = at<float>(env, heap, heapLength, o[7 + 3 * p], n, "a first moment");
      float* v = m ? at<float>(env, heap, heapLength, o[8 + 3 * p], n, "a second moment") : nullptr;
      if (!v) return false;
      io.m.push_back(m);
      io.v.push_back(v);
    }
  }
  for (size_t st = 0; st < states; st++) {
    float* value = at<float>(env, heap, heapLength, o[6 + 3 * params + st], static_cast<size_t>(plan.stateSizes[st]), "a moving statistic");
    if (!value) return false;
    io.states.push_back(value);
  }
  return true;
}

napi_value Step(napi_env env, napi_callback_info info) {
  napi_value args[6];
  if (!getArgs(env, info, 6, args)) return nullptr;
  nnc::Plan* plan = planOf(env, args[0]);
  if (!plan) return nullptr;
  char* heap;
  size_t heapLength, count, outLength;
  double *offsets, *out;
  if (!arrayBuffer(env, args[1], &heap, &heapLength) || !float64Array(env, args[2], &offsets, &count)) return nullptr;
  const int batch = static_cast<int>(numberOf(env, args[3]));
  const float lr = static_cast<float>(numberOf(env, args[4]));
  if (!float64Array(env, args[5], &out, &outLength)) return nullptr;
  if (batch < 1 || outLength < 2) return throwError(env, "batch must be positive and out hold 2 numbers");
  nnc::StepIo io;
  if (!bindIo(env, *plan, heap, heapLength, offsets, count, batch, true, io)) return nullptr;
  nnc::step(*plan, io, batch, lr, &out[0], &out[1]);
  return nullptr;
}

napi_value Predict(napi_env env, napi_callback_info info) {
  napi_value args[5];
  if (!getArgs(env, info, 5, args)) return nullptr;
  nnc::Plan* plan = planOf(env, args[0]);
  if (!plan) return nullptr;
  char* heap;
  size_t heapLength, count;
  double* offsets;
  if (!arrayBuffer(env, args[1], &heap, &heapLength) || !float64Array(env, args[2], &offsets, &count)) return nullptr;
  const int batch = static_cast<int>(numberOf(env, args[3]));
  if (batch < 1) return throwError(env, "batch must be positive");
  nnc::StepIo io;
  if (!bindIo(env, *plan, heap, heapLength, offsets, count, batch, false, io)) return nullptr;
  float* out = at<float>(env, heap, heapLength, numberOf(env, args[4]), static_cast<size_t>(batch) * plan->classes, "out");
  if (!out) return nullptr;
  nnc::predict(*plan, io, batch, out);
  return nullptr;
}

napi_value Seed(napi_env env, napi_callback_info info) {
  napi_value args[2];
  if (!getArgs(env, info, 2, args)) return nullptr;
  nnc::Plan* plan = planOf(env, args[0]);
  if (!plan) return nullptr;
  nnc::seed(*plan, static_cast<uint64_t>(numberOf(env, args[1])));
  return nullptr;
}

napi_value FixedMasks(napi_env env, napi_callback_info info) {
  napi_value args[2];
  if (!getArgs(env, info, 2, args)) return nullptr;
  nnc::Plan* plan = planOf(env, args[0]);
  if (!plan) return nullptr;
  bool on = false;
  napi_get_value_bool(env, args[1], &on);
  plan->fixedMasks = on;
  return nullptr;
}

napi_value intArray(napi_env env, const std::vector<int>& values) {
  napi_value out;
  CHECK_NAPI(napi_create_array_with_length(env, values.size(), &out));
  for (size_t i = 0; i < values.size(); i++) {
    napi_value v;
    CHECK_NAPI(napi_create_int32(env, values[i], &v));
    CHECK_NAPI(napi_set_element(env, out, static_cast<uint32_t>(i), v));
  }
  return out;
}

napi_value ParamSizes(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!getArgs(env, info, 1, args)) return nullptr;
  nnc::Plan* plan = planOf(env, args[0]);
  return plan ? intArray(env, plan->paramSizes) : nullptr;
}

napi_value StateSizes(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!getArgs(env, info, 1, args)) return nullptr;
  nnc::Plan* plan = planOf(env, args[0]);
  return plan ? intArray(env, plan->stateSizes) : nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!getArgs(env, info, 1, args)) return nullptr;
  nnc::setThreads(static_cast<int>(numberOf(env, args[0])));
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out, blas, threads;
  CHECK_NAPI(napi_create_object(env, &out));
  CHECK_NAPI(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &blas));
  CHECK_NAPI(napi_create_int32(env, openblas_get_num_threads(), &threads));
  CHECK_NAPI(napi_set_named_property(env, out, "blas", blas));
  CHECK_NAPI(napi_set_named_property(env, out, "blasThreads", threads));
  napi_value stepThreads;
  CHECK_NAPI(napi_create_int32(env, nnc::threads(), &stepThreads));
  CHECK_NAPI(napi_set_named_property(env, out, "threads", stepThreads));
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  // One BLAS thread: on 2 vCPUs OpenBLAS's spinning workers cost more than they give (measured, issue 14).
  // NNC_NATIVE_BLAS_THREADS overrides it for experiments.
  const char* threads = std::getenv("NNC_NATIVE_BLAS_THREADS");
  openblas_set_num_threads(threads != nullptr && std::atoi(threads) > 0 ? std::atoi(threads) : 1);
  // nnc's own threads (parallel.h): the step's loops and its independent matrix products split over them; results
  // do not depend on the count. NNC_NATIVE_THREADS sets it; by default 2 where there are 2 CPUs or more.
  const char* stepThreads = std::getenv("NNC_NATIVE_THREADS");
  const int cpus = static_cast<int>(std::thread::hardware_concurrency());
  nnc::setThreads(stepThreads != nullptr && std::atoi(stepThreads) > 0 ? std::atoi(stepThreads) : std::min(2, std::max(cpus, 1)));
  const napi_property_descriptor props[] = {
      {"createPlan", nullptr, CreatePlan, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"step", nullptr, Step, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"predict", nullptr, Predict, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"seed", nullptr, Seed, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fixedMasks", nullptr, FixedMasks, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"paramSizes", nullptr, ParamSizes, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stateSizes", nullptr, StateSizes, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
