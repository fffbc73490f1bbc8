//! Which of the seed's four tests each log source can see and whether the pack detects
//! it there, printed by `validate`, and as an ATT&CK Navigator layer for T1596.002.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Value};

/// Per log source, per seed test: `None` no evidence, `Some(false)` evidence the pack
/// missed, `Some(true)` detected.
#[derive(Default)]
pub struct Coverage {
    cells: BTreeMap<&'static str, [Option<bool>; 4]>,
}

impl Coverage {
    pub fn record(&mut self, source: &'static str, test: u8, detected: bool) {
        let row = self.cells.entry(source).or_default();
        let cell = &mut row[usize::from(test - 1)];
        *cell = Some(cell.unwrap_or(true) && detected);
    }

    /// The sources that detect a test.
    fn detecting(&self, test: u8) -> Vec<&'static str> {
        self.cells
            .iter()
            .filter(|(_, row)| row[usize::from(test - 1)] == Some(true))
            .map(|(source, _)| *source)
            .collect()
    }

    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "Coverage: which seed test each log source sees (yes = detected, MISSED = seen, not detected, - = no evidence)"
        )?;
        writeln!(
            out,
            "  {:<52} {:>6} {:>6} {:>6} {:>6}",
            "log source", "test 1", "test 2", "test 3", "test 4"
        )?;
        for (source, row) in &self.cells {
            let cell = |c: Option<bool>| match c {
                Some(true) => "yes",
                Some(false) => "MISSED",
                None => "-",
            };
            writeln!(
                out,
                "  {source:<52} {:>6} {:>6} {:>6} {:>6}",
                cell(row[0]),
                cell(row[1]),
                cell(row[2]),
                cell(row[3])
            )?;
        }
        Ok(())
    }
}

/// An ATT&CK Navigator layer (format 4.5): T1596.002 scored by how many of the seed's
/// four tests are detected, with the detecting sources per test as metadata.
pub fn navigator_layer(coverage: &Coverage) -> Value {
    let tests = [
        "Linux WHOIS command-line lookup",
        "PowerShell RDAP lookup (Invoke-RestMethod)",
        "PowerShell TcpClient WHOIS on port 43",
        "Python socket WHOIS on port 43",
    ];
    let mut metadata = Vec::new();
    let mut detected = 0;
    for (n, title) in (1u8..=4).zip(tests) {
        let sources = coverage.detecting(n);
        if !sources.is_empty() {
            detected += 1;
        }
        metadata.push(json!({
            "name": format!("Test {n}: {title}"),
            "value": if sources.is_empty() { "not detected".to_string() } else { sources.join("; ") },
        }));
    }
    json!({
        "name": "whoiswatch — T1596.002 WHOIS coverage",
        "versions": {"attack": "16", "navigator": "5.1.0", "layer": "4.5"},
        "domain": "enterprise-attack",
        "description": "Seed tests of T1596.002 detected by the whoiswatch pack on simulated telemetry (whoiswatch validate).",
        "filters": {"platforms": ["PRE"]},
        "sorting": 0,
        "layout": {"layout": "side", "showID": true, "showName": true},
        "hideDisabled": false,
        "techniques": [
            {
                "techniqueID": "T1596.002",
                "tactic": "reconnaissance",
                "score": detected,
                "comment": format!("{detected} of the seed's 4 tests detected"),
                "enabled": true,
                "metadata": metadata,
                "showSubtechniques": false
            },
            {
                "techniqueID": "T1596",
                "tactic": "reconnaissance",
                "score": detected,
                "enabled": true,
                "showSubtechniques": true
            }
        ],
        "gradient": {"colors": ["#ff6666", "#ffe766", "#8ec843"], "minValue": 0, "maxValue": 4},
        "legendItems": [],
        "metadata": [],
        "showTacticRowBackground": false,
        "selectTechniquesAcrossTactics": true,
        "selectSubtechniquesWithParent": false
    })
}
