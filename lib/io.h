/* io.h - the only door to libfcgi: accept a request, read its body, write
 * the answer. Works the same under FastCGI (loops) and plain CGI (once). */
#ifndef MA_IO_H
#define MA_IO_H

#include <stddef.h>

/* Waits for the next request; 0 when one is ready, -1 when the program
 * should exit (CGI: after the first; FastCGI: on shutdown). */
int io_accept(void);
/* The current request's variable; NULL when unset. Borrowed. */
const char *io_getenv(const char *name);
/* Every value of the variable NAME, in the order the server passed them
 * (nginx passes a repeated header as repeated variables), at most MAX into
 * OUT; returns how many. Borrowed. */
size_t io_getenv_all(const char *name, const char **out, size_t max);
/* Reads up to N body bytes; returns how many arrived. */
size_t io_read(void *buf, size_t n);
/* Writes all N bytes of the answer. */
void io_write(const void *buf, size_t n);
/* Reads and drops what is left of the body (plain CGI only). */
void io_drain(void);

#endif
