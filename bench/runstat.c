/*
 * runstat.c - runs a command and prints, on standard error, its wall time,
 * the peak resident memory of the process (the largest of it and its
 * children), the CPU time it and its children used (user + system), and
 * the user part of it: "SECONDS MAXRSS_KB CPU_SECONDS USER_SECONDS".  The
 * system part is mostly the file system's, which a busy shared disk can
 * swell many times over; the user part is the program's own work.
 * Usage: runstat COMMAND [ARG...]
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: runstat COMMAND [ARG...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	double cpu = user + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	fprintf(stderr, "%.3f %ld %.3f %.3f\n", secs, ru.ru_maxrss, cpu, user);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
