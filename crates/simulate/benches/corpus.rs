//! The corpus generator's throughput (issue 6: >= 100 MB/s of NDJSON on one core).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use whoiswatch_simulate::{corpus, Settings};

fn generate(c: &mut Criterion) {
    let settings = Settings::default();
    let events = 100_000;
    let mut sink = Vec::with_capacity(100 << 20);
    let bytes = corpus::write(&settings, events, &mut sink).unwrap();
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(20);
    group.bench_function("ndjson_100k_events", |b| {
        b.iter(|| {
            sink.clear();
            corpus::write(&settings, events, &mut sink).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
