// SWITCHYARD_ASAN: defined to 1 when this translation unit is built with AddressSanitizer
// (clang's __has_feature, gcc's __SANITIZE_ADDRESS__).
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWITCHYARD_ASAN 1
#endif
#endif
#if !defined(SWITCHYARD_ASAN) && defined(__SANITIZE_ADDRESS__)
#define SWITCHYARD_ASAN 1
#endif
