//! Test support: deterministic generated texts and haystacks for the multi-text
//! searches ([`crate::gram_index`], [`crate::prefilter`]), and the plain search they
//! must agree with.

/// A xorshift generator: the same texts on every run.
pub(crate) struct Generator(u64);

impl Generator {
    pub fn new() -> Generator {
        Generator(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// `len` bytes over a narrow alphabet, so that texts overlap and grams collide often.
    pub fn word(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ab.\\ -e";
        (0..len)
            .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
            .collect()
    }

    /// Random filler with some of `texts` planted in it, up to `gap` bytes apart.
    pub fn haystack(&mut self, texts: &[&str], gap: usize) -> String {
        let len = self.below(gap + 1);
        let mut haystack = self.word(len);
        for _ in 0..self.below(4) {
            let planted = self.below(texts.len());
            haystack.push_str(texts[planted]);
            let len = self.below(gap + 1);
            let filler = self.word(len);
            haystack.push_str(&filler);
        }
        haystack
    }
}

/// The numbers of the texts that occur in `haystack`, found one by one.
pub(crate) fn naive(texts: &[&str], haystack: &str) -> Vec<usize> {
    (0..texts.len())
        .filter(|&i| !texts[i].is_empty() && haystack.contains(texts[i]))
        .collect()
}

/// What a search reported, sorted and without repeats.
pub(crate) fn distinct(mut found: Vec<usize>) -> Vec<usize> {
    found.sort_unstable();
    found.dedup();
    found
}
