package rceventstest

import "strconv"

// kind tells which resource an ID names. It is part of every ID, so an ID of one kind never
// finds a resource of another, which is how the real API treats them too.
type kind uint8

const (
	kindOrganization kind = iota + 1
	kindTemplate
	kindEvent
	kindTicket
	kindBankQuestion
	kindMagicLink
	kindRegistration
	kindReport
	kindScheduleItem
	kindSession
	kindStage
	kindBooth
	kindTag
	kindSubscription
	kindUser
)

// idWidth is the length of every ID: a 64-bit value in base 36, zero-padded.
const idWidth = 13

// idCodec turns (kind, serial) pairs into opaque, random-looking IDs and back. The
// permutation is keyed by the seed, so IDs are stable for one seed and differ between seeds.
// Being reversible is what lets a lazily generated registration be found from its ID alone.
type idCodec struct{ key uint64 }

// encode returns the ID of the n-th resource of kind k; n must be below 2^56.
func (c idCodec) encode(k kind, n uint64) string {
	x := c.permute(uint64(k)<<56 | n&(1<<56-1))
	var buf, out [idWidth]byte
	s := strconv.AppendUint(buf[:0], x, 36)
	pad := idWidth - len(s)
	for i := 0; i < pad; i++ {
		out[i] = '0'
	}
	copy(out[pad:], s)
	return string(out[:])
}

// decode reverses encode. It reports false for anything encode cannot have produced.
func (c idCodec) decode(id string) (kind, uint64, bool) {
	x, err := strconv.ParseUint(id, 36, 64)
	if err != nil {
		return 0, 0, false
	}
	x = c.unpermute(x)
	k, n := kind(x>>56), x&(1<<56-1)
	return k, n, c.encode(k, n) == id // not, say, upper case or unpadded
}

const feistelRounds = 4

// permute is a balanced Feistel network over the two 32-bit halves: a bijection on uint64.
func (c idCodec) permute(x uint64) uint64 {
	l, r := uint32(x>>32), uint32(x)
	for i := 0; i < feistelRounds; i++ {
		l, r = r, l^c.round(r, i)
	}
	return uint64(l)<<32 | uint64(r)
}

func (c idCodec) unpermute(x uint64) uint64 {
	l, r := uint32(x>>32), uint32(x)
	for i := feistelRounds - 1; i >= 0; i-- {
		l, r = r^c.round(l, i), l
	}
	return uint64(l)<<32 | uint64(r)
}

func (c idCodec) round(half uint32, i int) uint32 {
	return uint32(mix64(uint64(half) ^ c.key ^ uint64(i+1)*0x9e3779b97f4a7c15))
}

// mix64 is the splitmix64 finalizer: a cheap, well-spread hash of one 64-bit word. Lazily
// generated data draws every attribute from mix64 of (seed, event, index, attribute), so any
// attribute of any registration can be computed on its own, in any order.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
