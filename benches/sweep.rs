//! A small sweep end to end: 12 tiny runs (300 sellers, 3,000 consumers, 20 weeks) on one and on
//! two threads, rows streamed to `runs.csv` and converted to Parquet. The parallel efficiency of a
//! 200-run sweep is measured with the CLI (docs/SWEEPS.md, "Speed").
//!
//! `cargo bench --bench sweep`

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossborder_sim::sweep::{self, SweepOptions};
use std::path::{Path, PathBuf};

fn sweep_file(dir: &Path) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron");
    let text = format!(
        r#"(
    name: "bench",
    base: "{}",
    sampler: Grid(levels: 3),
    replicates: 2,
    scale: (seller_agents: 300, consumer_agents: 3000),
    set: {{ "calendar.weeks": 20, "calendar.warmup_weeks": 0 }},
    parameters: [
        (path: "platforms[temu].brand_tilt", range: (0.0, 1.0)),
        (path: "regulators[eu].de_minimis_usd", values: [0.0, 160.0]),
    ],
    metrics: ["brand_gmv_share@2024", "platform_share.temu@2024"],
)"#,
        base.display()
    );
    let path = dir.join("bench.ron");
    std::fs::write(&path, text).expect("temporary directory is writable");
    path
}

fn small_sweep(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let file = sweep_file(tmp.path());
    let mut n = 0;
    for threads in [1, 2] {
        c.bench_function(&format!("sweep_12_tiny_runs_{threads}_threads"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    tmp.path().join(format!("out{n}"))
                },
                |out| {
                    let opts = SweepOptions {
                        file: file.clone(),
                        out: Some(out),
                        threads: Some(threads),
                        ..Default::default()
                    };
                    let o = sweep::sweep(&opts, &|_| {}).expect("the sweep runs");
                    assert_eq!(o.ran, 12);
                },
                BatchSize::PerIteration,
            )
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = small_sweep
}
criterion_main!(benches);
