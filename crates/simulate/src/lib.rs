//! `whoiswatch simulate`: the telemetry WHOIS/RDAP reconnaissance leaves, written in the
//! formats real sources write, so that a team can test the detection without running
//! the attack — the seed's four tests, an edge case, the seed's false positives, benign
//! background — and large mixed corpora for benchmarks ([`corpus`]).
//!
//! Behaviours ([`Behaviour`]) are scripts of [`activity::Step`]s; the renderers turn the
//! steps into each source's records; [`signals`] says what each behaviour must leave, in
//! the seed's words, for `validate`.

pub mod activity;
mod behaviours;
pub mod corpus;
mod render;
mod rng;
mod settings;
pub mod signals;
mod timefmt;

pub use behaviours::Behaviour;
pub use render::SourceFile;
pub use settings::Settings;
pub use signals::{Evidence, Signal, SIGNALS};

/// One file `simulate` writes.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub behaviour: Behaviour,
    /// Relative path: `test-2/windows-events.xml`.
    pub path: String,
    /// What wrote it, for people.
    pub source: &'static str,
    pub text: String,
}

/// The files of these behaviours. Each behaviour draws from its own generator, so the
/// files of one do not change when others are chosen or left out.
pub fn simulate(settings: &Settings, behaviours: &[Behaviour]) -> Vec<OutputFile> {
    let mut files = Vec::new();
    for &behaviour in behaviours {
        let index = behaviour.index() as u64;
        let mut rng = rng::Rng::new(settings.seed.wrapping_mul(31).wrapping_add(index));
        let steps = behaviour.steps(settings, &mut rng);
        for file in render::render(&steps, settings, &mut rng) {
            files.push(OutputFile {
                behaviour,
                path: format!("{}/{}", behaviour.dir(), file.name),
                source: file.source,
                text: file.text,
            });
        }
    }
    files
}

/// The organisation context (`--config`) under which the false-positive behaviour's
/// activity is allowlisted, one entry per seed category.
pub fn config_yaml(settings: &Settings) -> String {
    format!(
        "# Written by `whoiswatch simulate`: the context under which the false-positive\n\
         # behaviour (false-positives/) is allowlisted. See docs/triage.md.\n\
         organisation:\n  name: Example Corp (simulated)\n  domains: [{domain}]\n  networks: [{network}/24]\n\n\
         allowlists:\n\
         \x20 - name: soc-analyst-network\n    category: analyst\n    reason: SOC analysts research domains and IP owners (seed FP 1)\n    networks: [10.20.0.0/24]\n\
         \x20 - name: soc-analyst-workstations\n    category: analyst\n    reason: the same analysts' workstations, for their endpoint telemetry (seed FP 1)\n    hosts: [\"SOC-AN*\"]\n\
         \x20 - name: it-admins\n    category: administrator\n    reason: IT administrators verify the corporate domain's registration (seed FP 2)\n    users: [\"EXAMPLE\\\\adavis\"]\n\
         \x20 - name: it-admin-workstation\n    category: administrator\n    reason: the administrator's workstation, as host and as address for network logs (seed FP 2)\n    hosts: [\"WS-IT02*\"]\n\
         \x20 - name: it-admin-address\n    category: administrator\n    reason: the administrator's workstation in DNS, proxy and Zeek logs (seed FP 2)\n    networks: [10.1.5.12]\n\
         \x20 - name: vulnerability-scanner\n    category: scanner\n    reason: The scanner enriches findings with WHOIS (seed FP 3)\n    networks: [10.9.0.15]\n\
         \x20 - name: ci-dns-checks\n    category: cicd\n    reason: The DNS repository's pipeline verifies the registrar (seed FP 4)\n    hosts: [\"ci-runner-*\"]\n\
         \x20 - name: ci-runner-address\n    category: cicd\n    reason: the CI runners in DNS, firewall and Zeek logs (seed FP 4)\n    networks: [10.30.0.0/24]\n",
        domain = settings.domain,
        network = settings.network,
    )
}
