/* The two functions the image builder's ProgressReporterCHelper loads from $JAVA_HOME/lib/svm/builder/lib (peak RSS, terminal width). */
#include <jni.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *e, jclass c) {
  struct rusage r; return getrusage(RUSAGE_SELF, &r) == 0 ? (jlong) r.ru_maxrss * 1024 : -1; }
JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *e, jclass c) {
  struct winsize w = {0}; ioctl(STDOUT_FILENO, TIOCGWINSZ, &w); return w.ws_col; }
