//! Large mixed corpora for benchmarks: `simulate --events N`.
