# Makefile - builds lib/ (a static library), one FastCGI program per settings
# area in cgi-bin/, the admin tool, and the tests. Plain make, pkg-config for
# every library. Local overrides go in an optional Makefile.local.
#
#   make                 build everything into build/
#   make build/cgi-bin/auth   build one program
#   make run             start a local instance (see README)
#   make test            every test; ends with "N passed, N failed"
#   make bench           throughput, latency, CPU, memory, per-program CGI cost
#   make install         PREFIX=/usr/local DESTDIR= honoured
#   SANITIZE=1 make ...  ASan + UBSan build (rebuilds all: see build/.flags)
#
# A program is either one file, cgi-bin/NAME.c, or a folder, cgi-bin/NAME/*.c
# (all its files linked together); both become build/cgi-bin/NAME. Objects
# live under build/obj/, so build/cgi-bin/ holds nothing but the programs.

VERSION     = 0.1.0
PREFIX     ?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
LIBEXECDIR ?= $(PREFIX)/lib/myaccount/cgi-bin
DATADIR    ?= $(PREFIX)/share/myaccount
BINDIR     ?= $(PREFIX)/bin
DESTDIR    ?=

CC         ?= cc
PKGS        = libmongoc-1.0 json-c libsodium liboath libqrencode libcurl
# Avatars' image library (only the profile program references it).
PKGS       += gdlib
PKGS       += libfido2 libcbor
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
              -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
              -Ilib $(PKG_CFLAGS) -DSYSCONFDIR='"$(SYSCONFDIR)"' \
              -DDATADIR='"$(DATADIR)"' -DBINDIR='"$(BINDIR)"'
# Each program links only what it uses. lib/ is a static archive, so a
# program contains only the objects it calls into; --gc-sections drops the
# functions of those it never calls; --as-needed records (and so loads) only
# the shared libraries that what is left references. lld, unlike GNU ld,
# counts only references from kept code: a program that never sends mail
# loads no libcurl even when its mail object holds the SMTP code. PKGS is
# therefore the same for every program.
CFLAGS     += -ffunction-sections -fdata-sections
LDFLAGS    += -fuse-ld=lld -Wl,-z,relro,-z,now -Wl,--as-needed -Wl,--gc-sections
LDLIBS     += $(PKG_LIBS) -lfcgi
# libzxcvbn (password strength, lib/pwstrength.c) ships no pkg-config file.
LDLIBS     += -lzxcvbn -lm

ifeq ($(SANITIZE),1)
CFLAGS     += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1
LDFLAGS    += -fsanitize=address,undefined
endif

-include Makefile.local

B           = build
O           = $(B)/obj
LIB_SRC     = $(wildcard lib/*.c)
LIB_OBJ     = $(LIB_SRC:%.c=$(O)/%.o)
LIB_A       = $(B)/libmyaccount.a
# Single-file programs cgi-bin/NAME.c and folder programs cgi-bin/NAME/*.c.
FILE_PROGS  = $(patsubst cgi-bin/%.c,%,$(wildcard cgi-bin/*.c))
DIR_PROGS   = $(patsubst cgi-bin/%/,%,$(sort $(dir $(wildcard cgi-bin/*/*.c))))
PROGRAMS    = $(addprefix $(B)/cgi-bin/,$(FILE_PROGS) $(DIR_PROGS))
ADMIN       = $(B)/bin/myaccount-admin
UNIT_SRC    = $(wildcard tests/unit/test_*.c)
UNIT_BIN    = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

# The objects of program NAME: cgi-bin/NAME.c, or every cgi-bin/NAME/*.c.
prog_objs   = $(patsubst %.c,$(O)/%.o,$(wildcard cgi-bin/$(1).c cgi-bin/$(1)/*.c))

# build/.flags records the compiler and flags of the objects in build/; when
# they change (SANITIZE=1, another CFLAGS) everything is compiled again rather
# than mixing objects of two builds.
BUILD_FLAGS := $(strip $(CC) $(CFLAGS) $(LDFLAGS) $(LDLIBS))
ifneq ($(BUILD_FLAGS),$(strip $(shell cat $(B)/.flags 2>/dev/null)))
$(shell mkdir -p $(B))
$(file >$(B)/.flags,$(BUILD_FLAGS))
endif

# Keep object files between runs (they are otherwise intermediate).
.SECONDARY:

.PHONY: all lib programs admin units test run bench install uninstall clean deps list-programs

all: programs admin units

lib: $(LIB_A)
programs: $(PROGRAMS)
admin: $(ADMIN)
units: $(UNIT_BIN)

$(O)/%.o: %.c $(wildcard lib/*.h) Makefile $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# One link rule per program (a folder's objects are only known by name); a
# folder's own headers (cgi-bin/NAME/*.h) are prerequisites of its objects.
define program_rule
$(B)/cgi-bin/$(1): $(call prog_objs,$(1)) $(LIB_A)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
$(call prog_objs,$(1)): $(wildcard cgi-bin/$(1)/*.h)
endef
$(foreach p,$(FILE_PROGS) $(DIR_PROGS),$(eval $(call program_rule,$(p))))

# The names make builds programs for (a check that a folder counts as one).
list-programs:
	@echo $(sort $(FILE_PROGS) $(DIR_PROGS))

# The admin tool is every admin/*.c; only it links libarchive (the My Data
# worker packs archives), so no web program loads it.
ADMIN_OBJ   = $(patsubst %.c,$(O)/%.o,$(wildcard admin/*.c))
ADMIN_LIBS  = $(shell pkg-config --libs libarchive 2>/dev/null)
$(ADMIN): $(ADMIN_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(ADMIN_LIBS)
$(ADMIN_OBJ): $(wildcard admin/*.h)

$(B)/bench/hello: tests/bench/hello.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lfcgi

$(B)/tests/%: $(O)/tests/unit/%.o $(O)/tests/unit/unit.o $(LIB_A)
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
