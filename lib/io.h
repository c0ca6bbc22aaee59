/* io.h - the only door to libfcgi: accept a request, read its body, write
 * the answer. Works the same under FastCGI (loops) and plain CGI (once). */
#ifndef MA_IO_H
#define MA_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Waits for the next request; 0 when one is ready, -1 when the program
 * should exit (CGI: after the first; FastCGI: on shutdown). Before waiting
 * it finishes the previous answer (the web server has all of it) and then
 * runs the io_after_answer() hooks. */
int io_accept(void);
/* The current request's variable; NULL when unset. Borrowed. */
const char *io_getenv(const char *name);
/* Every value of the variable NAME, in the order the server passed them
 * (nginx passes a repeated header as repeated variables), at most MAX into
 * OUT; returns how many. Borrowed. */
size_t io_getenv_all(const char *name, const char **out, size_t max);
/* A variable of the environment the process started with (under FastCGI
 * the request's variables replace it); NULL when unset. Borrowed. */
const char *io_process_getenv(const char *name);
/* True under plain CGI (one request per process), false under FastCGI. */
bool io_is_cgi(void);
/* Reads up to N body bytes; returns how many arrived. */
size_t io_read(void *buf, size_t n);
/* Writes all N bytes of the answer. Under FastCGI libfcgi sends it in
 * records as its buffer fills, so a long answer is never held whole. */
void io_write(const void *buf, size_t n);
/* Reads and drops what is left of the body (plain CGI only). */
void io_drain(void);

/* Runs FN(ARG) once the current answer has been handed to the web server
 * (at the next io_accept(), or at exit), not before: work the caller must
 * not wait for (starting the mail sender). Registering the same FN and ARG
 * twice runs it once. False when the table of hooks is full. */
bool io_after_answer(void (*fn)(void *), void *arg);

#endif
