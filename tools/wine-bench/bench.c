// The Wine side of the per-call benchmark (BENCHMARKS.md, "Per call against Wine"): the
// operations kernsim's hot_loop runs, timed with QueryPerformanceCounter, in ns per pair.
// Built with mingw-w64 and run under Wine by tools/wine-bench/run.sh.
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double now_ns(void) {
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1e9 / (double)freq.QuadPart;
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "events";
    long n = argc > 2 ? atol(argv[2]) : 20000;
    double start = now_ns();
    if (!strcmp(what, "events")) {
        for (long i = 0; i < n; i++) {
            HANDLE h = CreateEventW(NULL, TRUE, FALSE, NULL);
            if (!h || !CloseHandle(h)) return 1;
        }
    } else if (!strcmp(what, "dup")) {
        HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL), d;
        start = now_ns();
        for (long i = 0; i < n; i++) {
            if (!DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &d, 0, FALSE,
                                 DUPLICATE_SAME_ACCESS) || !CloseHandle(d))
                return 1;
        }
    } else if (!strcmp(what, "pipe4k")) {
        static char buf[4096];
        HANDLE r, w;
        DWORD done;
        if (!CreatePipe(&r, &w, NULL, sizeof buf)) return 1;
        start = now_ns();
        for (long i = 0; i < n; i++) {
            if (!WriteFile(w, buf, sizeof buf, &done, NULL) || !ReadFile(r, buf, sizeof buf, &done, NULL))
                return 1;
        }
    } else {
        fprintf(stderr, "unknown loop %s: expected events, dup or pipe4k\n", what);
        return 2;
    }
    printf("%s %ld pairs %.0f ns/pair\n", what, n, (now_ns() - start) / (double)n);
    return 0;
}
