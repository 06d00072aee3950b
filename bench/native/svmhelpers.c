/* Stand-ins for the C helpers a GraalVM JDK links into every native image (libchelper, libsvm_container) and
   for the JNI_OnLoad_<lib> entry points of its static JDK libraries, for bench/native-tftp.sh, which links the
   image with the JDK's shared JNI libraries instead. Written from the builder's Java-side declarations
   (svm-25.0.4.jar: AMD64LibCHelper, CSunMiscSignal, LocaleCHelper, ContainerLibrary, LinuxLibCHelper, ...). */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "amd64cpufeatures.h" /* written by native-tftp.sh from the builder's classes */

/* ---- JNI_OnLoad_<lib> of a built-in library: the JNI_OnLoad of the JDK's shared libX.so, already loaded ---- */
jint netboot_onload(const char *so, JavaVM *vm, void *r) {
  void *h = dlopen(so, RTLD_LAZY | RTLD_NOLOAD);
  if (!h) { fprintf(stderr, "shim: %s not loaded: %s\n", so, dlerror()); return JNI_ERR; }
  jint (*f)(JavaVM *, void *) = (jint (*)(JavaVM *, void *)) dlsym(h, "JNI_OnLoad");
  /* a JNI_OnLoad_L of a built-in library must answer JNI_VERSION_1_8 or later (JNI spec, static libraries) */
  jint v = f ? f(vm, r) : JNI_VERSION_1_8;
  return v < 0 ? v : (v < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : v);
}
/* JNI_OnLoad_<lib> for each library the image names: native-tftp.sh writes them (onload.c), calling netboot_onload. */

/* ---- small libc wrappers ---- */
int getThreadId(void) { return (int) syscall(SYS_gettid); }
void *mremapP(void *a, size_t o, size_t n, int f, void *na) { return mremap(a, o, n, f, na); }
int openSII(const char *p, int f, int m) { return open(p, f, m); }
int fprintfSD(FILE *s, const char *fmt, const char *a, int b) { return fprintf(s, fmt, a, b); }
char *SVM_FindJavaTZmd(const char *java_home, int len) { return NULL; }

/* ---- locale, as the JDK's java_props_md.c reads it ---- */
#include <locale.h>
#include "svm_locale.h"
static svm_locale_props_t props;
/* "ll_CC.codeset@variant" as in the JDK's ParseLocale; C/POSIX -> en_US */
static void parse(int cat, char **lang, char **script, char **country, char **variant) {
  const char *lc = setlocale(cat, NULL);
  if (lc == NULL || !strcmp(lc, "C") || !strcmp(lc, "POSIX")) lc = "en_US";
  char *t = strdup(lc), *at = strchr(t, '@'), *dot, *us;
  if (at) { *at = 0; *variant = strdup(at + 1); }
  if ((dot = strchr(t, '.'))) *dot = 0;
  if ((us = strchr(t, '_'))) { *us = 0; *country = strdup(us + 1); }
  *lang = strdup(t); *script = NULL; free(t);
}
int svm_initialize_locale(void) {
  setlocale(LC_ALL, "");
  parse(LC_CTYPE, &props.format_language, &props.format_script, &props.format_country, &props.format_variant);
  parse(LC_MESSAGES, &props.display_language, &props.display_script, &props.display_country, &props.display_variant);
  return 1;
}
void *svm_get_locale(void) { return &props; }

/* ---- container support: answers "not containerized" (no cgroup limits read) ---- */
int svm_container_initialize(int version) { return version == 240100 ? 0 : (version < 240100 ? 3 : 2); }
uint64_t svm_container_physical_memory(void) { return (uint64_t) sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE); }
int svm_container_active_processor_count(void) { return (int) sysconf(_SC_NPROCESSORS_ONLN); }
long svm_container_memory_limit_in_bytes(void) { return -1; }
long svm_container_memory_and_swap_limit_in_bytes(void) { return -1; }
long svm_container_memory_soft_limit_in_bytes(void) { return -1; }
long svm_container_memory_usage_in_bytes(void) { return -1; }
long svm_container_memory_max_usage_in_bytes(void) { return -1; }
long svm_container_rss_usage_in_bytes(void) { return -1; }
long svm_container_cache_usage_in_bytes(void) { return -1; }

/* ---- sun.misc.Signal support ---- */
static volatile long table[NSIG];
static sem_t sem; static int have_sem;
int cSunMiscSignal_open(void) { memset((void *) table, 0, sizeof table); if (sem_init(&sem, 0, 0)) return -1; have_sem = 1; return 0; }
int cSunMiscSignal_close(void) { if (have_sem) { sem_destroy(&sem); have_sem = 0; } return 0; }
int cSunMiscSignal_awaitSemaphore(void) { if (!have_sem) { errno = EINVAL; return -1; } int r = sem_wait(&sem); return (r && errno == EINTR) ? 0 : r; }
int cSunMiscSignal_signalSemaphore(void) { if (!have_sem) { errno = EINVAL; return -1; } return sem_post(&sem); }
jboolean cSunMiscSignal_signalRangeCheck(int i) { return i > 0 && i < NSIG; }
int cSunMiscSignal_checkPendingSignal(void) {
  for (int i = 1; i < NSIG; i++) { long v; while ((v = table[i]) > 0) { if (__sync_bool_compare_and_swap(&table[i], v, v - 1)) return i; } }
  return -1;
}
static void handler(int s) { int e = errno; if (s > 0 && s < NSIG) { __sync_fetch_and_add(&table[s], 1); if (have_sem) sem_post(&sem); } errno = e; }
void *cSunMiscSignal_signalHandlerFunctionPointer(void) { return (void *) handler; }

/* ---- AMD64 CPU features (cpuid) ---- */
#define B(r, n) (((r) >> (n)) & 1)
void determineCPUFeatures(CPUFeatures *f) {
  unsigned a, b, c, d, a7 = 0, b7 = 0, c7 = 0, d7 = 0, ec = 0, ed = 0, max;
  memset(f, 0, sizeof *f);
  max = __get_cpuid_max(0, 0);
  __cpuid(1, a, b, c, d);
  if (max >= 7) __cpuid_count(7, 0, a7, b7, c7, d7);
  if (__get_cpuid_max(0x80000000, 0) >= 0x80000001) { unsigned x; __cpuid(0x80000001, x, x, ec, ed); }
  int os_avx = 0, os_avx512 = 0;
  if (B(c, 27)) { unsigned lo, hi; __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0)); os_avx = (lo & 6) == 6; os_avx512 = os_avx && (lo & 0xe0) == 0xe0; }
  f->fCX8 = B(d, 8); f->fCMOV = B(d, 15); f->fFXSR = B(d, 24); f->fHT = B(d, 28); f->fMMX = B(d, 23);
  f->fAMD_3DNOW_PREFETCH = B(ec, 8); f->fSSE = B(d, 25); f->fSSE2 = B(d, 26); f->fSSE3 = B(c, 0); f->fSSSE3 = B(c, 9);
  f->fSSE4A = B(ec, 6); f->fSSE4_1 = B(c, 19); f->fSSE4_2 = B(c, 20); f->fPOPCNT = B(c, 23); f->fLZCNT = B(ec, 5);
  f->fTSC = B(d, 4); f->fAVX = B(c, 28) && os_avx; f->fAVX2 = B(b7, 5) && os_avx; f->fAES = B(c, 25); f->fERMS = B(b7, 9);
  f->fCLMUL = B(c, 1); f->fBMI1 = B(b7, 3); f->fBMI2 = B(b7, 8); f->fRTM = B(b7, 11); f->fADX = B(b7, 19);
  f->fAVX512F = B(b7, 16) && os_avx512; f->fAVX512DQ = B(b7, 17) && os_avx512; f->fAVX512CD = B(b7, 28) && os_avx512;
  f->fAVX512BW = B(b7, 30) && os_avx512; f->fAVX512VL = B(b7, 31) && os_avx512; f->fSHA = B(b7, 29); f->fFMA = B(c, 12) && os_avx;
  f->fVZEROUPPER = f->fAVX; f->fAVX512_VPOPCNTDQ = B(c7, 14) && os_avx512; f->fAVX512_VPCLMULQDQ = B(c7, 10) && os_avx512;
  f->fAVX512_VAES = B(c7, 9) && os_avx512; f->fAVX512_VNNI = B(c7, 11) && os_avx512; f->fFLUSH = B(d, 19);
  f->fFLUSHOPT = B(b7, 23); f->fCLWB = B(b7, 24); f->fAVX512_VBMI2 = B(c7, 6) && os_avx512; f->fAVX512_VBMI = B(c7, 1) && os_avx512;
  f->fHV = B(c, 31); f->fSERIALIZE = B(d7, 14); f->fRDTSCP = B(ed, 27); f->fRDPID = B(c7, 22); f->fFSRM = B(d7, 4);
  f->fGFNI = B(c7, 8); f->fAVX512_BITALG = B(c7, 12) && os_avx512; f->fPKU = B(c7, 3); f->fOSPKE = B(c7, 4);
  f->fF16C = B(c, 29) && os_avx; f->fAVX512_IFMA = B(b7, 21) && os_avx512;
}
int checkCPUFeatures(const uint8_t *buildtime) {
  CPUFeatures f; determineCPUFeatures(&f); const uint8_t *rt = (const uint8_t *) &f;
  /* mask: 0xFE marks a required feature, 0xFF any other byte */
  for (size_t i = 0; i < sizeof f; i++) if ((uint8_t) (rt[i] | buildtime[i]) != 0xFF) return -1;
  return 0;
}
int checkCPUFeaturesOrExit(const uint8_t *buildtime, const char *msg) {
  if (checkCPUFeatures(buildtime)) { fputs(msg, stderr); exit(1); }
  return 0;
}
