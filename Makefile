# Makefile - builds lib/ (a static library), one FastCGI program per settings
# area in cgi-bin/, the admin tool, and the tests. Plain make, pkg-config for
# every library. Local overrides go in an optional Makefile.local.
#
#   make                 build everything into build/
#   make build/cgi-bin/auth   build one program
#   make run             start a local instance (see README)
#   make test            every test; ends with "N passed, N failed"
#   make bench           throughput, latency, CPU, memory figures
#   make install         PREFIX=/usr/local DESTDIR= honoured
#   SANITIZE=1 make ...  ASan + UBSan build

VERSION     = 0.1.0
PREFIX     ?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
LIBEXECDIR ?= $(PREFIX)/lib/myaccount/cgi-bin
DATADIR    ?= $(PREFIX)/share/myaccount
BINDIR     ?= $(PREFIX)/bin
DESTDIR    ?=

CC         ?= cc
PKGS        = libmongoc-1.0 json-c libsodium liboath libqrencode libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
              -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
              -Ilib $(PKG_CFLAGS) -DSYSCONFDIR='"$(SYSCONFDIR)"' \
              -DDATADIR='"$(DATADIR)"' -DBINDIR='"$(BINDIR)"'
LDFLAGS    += -Wl,-z,relro,-z,now
LDLIBS     += $(PKG_LIBS) -lfcgi

ifeq ($(SANITIZE),1)
CFLAGS     += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS    += -fsanitize=address,undefined
endif

-include Makefile.local

B           = build
LIB_SRC     = $(wildcard lib/*.c)
LIB_OBJ     = $(LIB_SRC:%.c=$(B)/%.o)
LIB_A       = $(B)/libmyaccount.a
PROGRAMS    = $(patsubst cgi-bin/%.c,$(B)/cgi-bin/%,$(wildcard cgi-bin/*.c))
ADMIN       = $(B)/bin/myaccount-admin
UNIT_SRC    = $(wildcard tests/unit/test_*.c)
UNIT_BIN    = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

# Keep object files between runs (they are otherwise intermediate).
.SECONDARY:

.PHONY: all lib programs admin units test run bench install uninstall clean deps

all: programs admin units

lib: $(LIB_A)
programs: $(PROGRAMS)
admin: $(ADMIN)
units: $(UNIT_BIN)

$(B)/%.o: %.c $(wildcard lib/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/cgi-bin/%: $(B)/cgi-bin/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(ADMIN): $(B)/admin/myaccount-admin.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bench/hello: tests/bench/hello.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lfcgi

$(B)/tests/%: $(B)/tests/unit/%.o $(B)/tests/unit/unit.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# run, test and bench first make sure the Debian packages are there (the one
# install script knows them), then build with pkg-config's answers.
deps:
	deploy/install-deps.sh

run: deps
	$(MAKE) all
	deploy/dev-run.sh

test: deps
	$(MAKE) all
	tests/run.sh

bench: deps
	$(MAKE) all $(B)/bench/hello
	tests/bench/run.sh

install: programs admin
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(PROGRAMS) $(DESTDIR)$(LIBEXECDIR)/
	install -m 755 $(ADMIN) $(DESTDIR)$(BINDIR)/
	cp -R www $(DESTDIR)$(DATADIR)/
	cp -R deploy $(DESTDIR)$(DATADIR)/
	cp -R mongo $(DESTDIR)$(DATADIR)/
	test -e $(DESTDIR)$(SYSCONFDIR)/myaccount.conf || \
	    install -m 640 deploy/myaccount.conf.sample $(DESTDIR)$(SYSCONFDIR)/myaccount.conf

uninstall:
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(BINDIR)/myaccount-admin

clean:
	rm -rf $(B)

# ---------------------------------------------------------------------------
# Fuzzing (tests/fuzz/): libFuzzer targets for the parsers of lib/.
#
#   make fuzz                  build every target, run each FUZZ_SECONDS (20)
#   make fuzz FUZZ_SECONDS=60  longer; tests/fuzz/run.sh fuzz_utf8 for one
#   make fuzz-build            only build them (build/fuzz/fuzz_*)
#
# lib/ is compiled again with clang and the fuzzer's coverage and sanitizers
# into build/fuzz/lib/ (the gcc-built libmyaccount.a has neither).
CLANG        ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror \
                -fno-sanitize-recover=undefined -Ilib $(PKG_CFLAGS) \
                -DSYSCONFDIR='"$(SYSCONFDIR)"'
FUZZ_LIB_OBJ  = $(LIB_SRC:lib/%.c=$(B)/fuzz/lib/%.o)
FUZZ_LIB_A    = $(B)/fuzz/libmyaccount-fuzz.a
FUZZ_BIN      = $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh --no-build

$(B)/fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(FUZZ_LIB_A): $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB_A)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(FUZZ_LIB_A) $(PKG_LIBS) -lfcgi
