fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args[0].clone();
    let mut n = 0u64;
    let mut e = 0u64;
    let t = std::time::Instant::now();
    for _ in 0..10 {
        for f in &args[1..] {
            let Ok(p) = evtx::EvtxParser::from_path(f) else {
                continue;
            };
            let mut p = p.with_configuration(evtx::ParserSettings::new().num_threads(1));
            let m = mode.clone();
            let it = p.serialized_records(move |r| {
                let r = r?;
                match m.as_str() {
                    "noop" => Ok(r.event_record_id as usize),
                    "tpl" => Ok(r.template_instances()?.len()),
                    "json" => Ok(r.into_json_bytes()?.data.len()),
                    _ => Ok(r.into_xml_bytes()?.data.len()),
                }
            });
            for r in it {
                match r {
                    Ok(_) => n += 1,
                    Err(_) => e += 1,
                }
            }
        }
    }
    eprintln!("{mode}: {n} err {e} {:?}", t.elapsed());
}
