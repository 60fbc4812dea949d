// Linux's epoll, for the benchmark's loop client (Swift's Glibc module leaves sys/epoll.h out).
#pragma once
#ifdef __linux__
#include <sys/epoll.h>
#endif
