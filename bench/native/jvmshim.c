/* A stand-in libjvm.so for bench/native-tftp.sh: the JVM_* functions that a native image and the JDK's shared
   JNI libraries (libjava.so, libnio.so, libnet.so, libzip.so) call outside HotSpot, as SubstrateVM's own libjvm
   shim provides them to a GraalVM-built image. Every other JVM_* name those libraries import gets an aborting
   stub (jvmstubs.c, written by the script), so that they load. Exported with HotSpot's symbol version. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
JNIEXPORT void initialize(void) {}
JNIEXPORT int JVM_GetInterfaceVersion(void) { return 6; }
JNIEXPORT int JVM_ActiveProcessorCount(void) { cpu_set_t s; return sched_getaffinity(0, sizeof s, &s) == 0 ? CPU_COUNT(&s) : (int) sysconf(_SC_NPROCESSORS_ONLN); }
JNIEXPORT void *JVM_FindLibraryEntry(void *h, const char *n) { return dlsym(h, n); }
JNIEXPORT jlong JVM_CurrentTimeMillis(JNIEnv *e, jclass c) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return (jlong) t.tv_sec * 1000 + t.tv_nsec / 1000000; }
JNIEXPORT jlong JVM_NanoTime(JNIEnv *e, jclass c) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (jlong) t.tv_sec * 1000000000LL + t.tv_nsec; }
JNIEXPORT jlong JVM_GetNanoTimeAdjustment(JNIEnv *e, jclass c, jlong off) {
  struct timespec t; clock_gettime(CLOCK_REALTIME, &t); int64_t d = t.tv_sec - off;
  if (d >= 0x0100000000LL || d <= -0x0100000000LL) return -1; return d * 1000000000LL + t.tv_nsec; }
JNIEXPORT void JVM_Halt(int r) { exit(r); }
JNIEXPORT void JVM_BeforeHalt(void) {}
JNIEXPORT jstring JVM_GetTemporaryDirectory(JNIEnv *e) { return (*e)->NewStringUTF(e, "/tmp"); }
JNIEXPORT jboolean JVM_IsStaticallyLinked(void) { return JNI_FALSE; }
JNIEXPORT jboolean JVM_IsUseContainerSupport(void) { return JNI_FALSE; }
JNIEXPORT jboolean JVM_IsContainerized(void) { return JNI_FALSE; }
JNIEXPORT int jio_vfprintf(FILE *f, const char *fmt, va_list a) { return vfprintf(f, fmt, a); }
JNIEXPORT int jio_vsnprintf(char *s, size_t n, const char *fmt, va_list a) {
  if ((intptr_t) n <= 0) return -1; int r = vsnprintf(s, n, fmt, a);
  if ((r > 0 && (size_t) r >= n) || r == -1) { s[n - 1] = 0; r = -1; } return r; }
