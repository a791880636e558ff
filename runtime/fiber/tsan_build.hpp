// SWITCHYARD_TSAN: defined to 1 when this translation unit is built with ThreadSanitizer
// (clang's __has_feature, gcc's __SANITIZE_THREAD__).
#pragma once

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SWITCHYARD_TSAN 1
#endif
#endif
#if !defined(SWITCHYARD_TSAN) && defined(__SANITIZE_THREAD__)
#define SWITCHYARD_TSAN 1
#endif
