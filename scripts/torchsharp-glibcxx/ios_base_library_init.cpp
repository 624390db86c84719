// GCC 13's libstdc++ (GLIBCXX_3.4.32) added std::ios_base_library_init(), which code compiled by GCC 13 calls to make sure
// the standard streams are initialised. TorchSharp's native glue (libLibTorchSharp.so) was built that way; GCC 12's
// libstdc++ (Debian 12) lacks the function. This library provides it: like GCC 13's, it constructs a static
// std::ios_base::Init, which initialises cin/cout/cerr/clog once per process.
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}
