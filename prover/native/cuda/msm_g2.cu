// The G2 MSM kernels (Fq2 coordinates: the largest of the engine's compilation units).
#include "msm.cuh"

namespace zkn::gpu {
template class MsmEngine<Fq2_32>;
}
