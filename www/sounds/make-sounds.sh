#!/bin/sh
# make-sounds.sh - synthesises the 13 notification sounds of Rocket.Chat's
# default ids (chime, door, ...) with sox, as small mono Ogg Vorbis files.
# The project makes them itself, so they carry no third-party licence.
# Needs: sox with Ogg Vorbis support (Debian: sox, libsox-fmt-base).
#   www/sounds/make-sounds.sh            writes www/sounds/<id>.ogg
set -eu
cd "$(dirname "$0")"
command -v sox >/dev/null || { echo "make-sounds: install sox (apt-get install sox libsox-fmt-base)" >&2; exit 1; }

RATE=22050
# tone OUT SECONDS SYNTH... : one sox "synth" layer, faded out, as WAV.
tone() {
	out=$1 len=$2
	shift 2
	sox -n -r $RATE -c 1 -b 16 "$out" synth "$len" "$@" fade q 0.005 "$len" "$len" vol 0.5
}
# partials SECONDS FREQ...: synth effects that mix sines of FREQ... (one
# "synth" with several types would make one channel per type instead).
partials() {
	len=$1 first=$2
	shift 2
	printf 'synth %s sine %s ' "$len" "$first"
	for f in "$@"; do printf 'synth %s sine mix %s ' "$len" "$f"; done
}
# bell OUT SECONDS FREQ...: struck-bell partials with a falling envelope.
bell() {
	out=$1 len=$2
	shift 2
	# shellcheck disable=SC2046 # partials prints words meant to split
	sox -n -r $RATE -c 1 -b 16 "$out" $(partials "$len" "$@") fade l 0.002 "$len" "$len" vol 0.45
}
# double FREQ: twice FREQ (the octave partial).
double() { awk -v f="$1" 'BEGIN { print f * 2 }'; }
# join OUT IN...: the parts one after the other.
join() {
	out=$1
	shift
	sox "$@" "$out"
}
# finish ID WAV: normalised, encoded to ID.ogg at a low Vorbis quality.
finish() {
	sox "$2" -C 0 "$1.ogg" gain -n -3
	rm -f "$2"
}

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# chime: two soft bells a fifth apart.
bell "$T/a.wav" 0.45 880 1760
bell "$T/b.wav" 0.9 1318.5 2637
join "$T/chime.wav" "$T/a.wav" "$T/b.wav"
finish chime "$T/chime.wav"

# door: the "ding-dong" of a door bell.
bell "$T/a.wav" 0.5 659.3 1318.5
bell "$T/b.wav" 0.9 523.3 1046.5
join "$T/door.wav" "$T/a.wav" "$T/b.wav"
finish door "$T/door.wav"

# beep: one short square-wave beep.
tone "$T/beep.wav" 0.18 square 1000
finish beep "$T/beep.wav"

# chelle: a plucked rising triad.
for n in 1 2 3; do
	case $n in 1) f=C5 ;; 2) f=E5 ;; 3) f=G5 ;; esac
	sox -n -r $RATE -c 1 -b 16 "$T/p$n.wav" synth 0.22 pluck "$f" vol 0.6
done
sox -n -r $RATE -c 1 -b 16 "$T/p4.wav" synth 0.7 pluck C6 vol 0.6
join "$T/chelle.wav" "$T/p1.wav" "$T/p2.wav" "$T/p3.wav" "$T/p4.wav"
finish chelle "$T/chelle.wav"

# ding: one bright bell.
bell "$T/ding.wav" 0.8 1568 3136 4704
finish ding "$T/ding.wav"

# droplet: a fast falling sine, like a drop of water.
sox -n -r $RATE -c 1 -b 16 "$T/droplet.wav" synth 0.16 sine 1400/350 fade q 0.003 0.16 0.08 vol 0.6
finish droplet "$T/droplet.wav"

# highbell: a high, long bell.
bell "$T/highbell.wav" 1.3 2093 4186 6279
finish highbell "$T/highbell.wav"

# seasons: a four-note arpeggio.
n=0
for f in 523.3 659.3 784 1046.5; do
	n=$((n + 1))
	len=0.16
	[ $n -eq 4 ] && len=0.6
	bell "$T/s$n.wav" $len "$f" "$(double "$f")"
done
join "$T/seasons.wav" "$T/s1.wav" "$T/s2.wav" "$T/s3.wav" "$T/s4.wav"
finish seasons "$T/seasons.wav"

# telephone: two bursts of an old telephone bell (440 + 480 Hz, trilled).
sox -n -r $RATE -c 1 -b 16 "$T/ring.wav" $(partials 0.8 440 480) tremolo 20 90 fade q 0.01 0.8 0.05 vol 0.5
sox -n -r $RATE -c 1 -b 16 "$T/gap.wav" trim 0 0.25
join "$T/telephone.wav" "$T/ring.wav" "$T/gap.wav" "$T/ring.wav"
finish telephone "$T/telephone.wav"

# outbound-call-ringing: the ring-back tone a caller hears (440 + 480 Hz).
sox -n -r $RATE -c 1 -b 16 "$T/rb.wav" $(partials 1.2 440 480) fade q 0.02 1.2 0.02 vol 0.4
sox -n -r $RATE -c 1 -b 16 "$T/gap.wav" trim 0 0.8
join "$T/outbound-call-ringing.wav" "$T/rb.wav" "$T/gap.wav" "$T/rb.wav"
finish outbound-call-ringing "$T/outbound-call-ringing.wav"

# call-ended: three short falling tones.
tone "$T/e1.wav" 0.15 sine 660
tone "$T/e2.wav" 0.15 sine 550
tone "$T/e3.wav" 0.3 sine 440
join "$T/call-ended.wav" "$T/e1.wav" "$T/e2.wav" "$T/e3.wav"
finish call-ended "$T/call-ended.wav"

# dialtone: the continuous 350 + 440 Hz dial tone.
sox -n -r $RATE -c 1 -b 16 "$T/dialtone.wav" $(partials 1.5 350 440) fade q 0.02 1.5 0.05 vol 0.4
finish dialtone "$T/dialtone.wav"

# ringtone: a short melody, played twice.
n=0
for f in 784 659.3 784 1046.5 988 784; do
	n=$((n + 1))
	bell "$T/m$n.wav" 0.18 "$f" "$(double "$f")"
done
join "$T/phrase.wav" "$T/m1.wav" "$T/m2.wav" "$T/m3.wav" "$T/m4.wav" "$T/m5.wav" "$T/m6.wav"
sox -n -r $RATE -c 1 -b 16 "$T/gap.wav" trim 0 0.3
join "$T/ringtone.wav" "$T/phrase.wav" "$T/gap.wav" "$T/phrase.wav"
finish ringtone "$T/ringtone.wav"

ls -l ./*.ogg
