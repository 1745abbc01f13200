// The G1 MSM kernels, compiled apart from the rest so nvcc builds the engine in parallel.
#include "msm.cuh"

namespace zkn::gpu {
template class MsmEngine<Fq32>;
}
