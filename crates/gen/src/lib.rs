//! Synthetic proposals: organisations of every kind with turnovers,
//! practices with list sizes, people on boards with ownership, partnership
//! and employment interests, contracts, PFI liabilities, ownership and
//! membership cycles, and a realistic share of rule violations.
//!
//! Deterministic for a seed, with its own small generator (SplitMix64) so
//! that the output never changes with a dependency's version.

use std::fmt::Write as _;

/// A deterministic pseudo-random sequence (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A sequence for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const ORG_KINDS: [&str; 8] = [
    "nhs-trust",
    "foundation-trust",
    "gp-federation",
    "gp-company",
    "local-authority",
    "private-company",
    "social-enterprise",
    "llp",
];
const CONTRACT_KINDS: [&str; 9] = [
    "mcp-virtual",
    "mcp-partially-integrated",
    "mcp-fully-integrated",
    "pacs-virtual",
    "alliance",
    "lead-provider",
    "subcontract",
    "apms",
    "other",
];

/// A proposal of about `entities` entities, deterministic for `seed`.
pub fn proposal(entities: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let entities = entities.max(8);
    let ccgs = (entities / 400).max(1);
    let practices = entities * 15 / 100;
    let others = entities * 25 / 100;
    let people = entities * 35 / 100;
    let contracts = entities * 20 / 100;
    let liabilities = entities
        .saturating_sub(ccgs + practices + others + people + contracts)
        .max(1);
    let mut out = String::with_capacity(entities * 160);
    let population: usize = practices * 8_000;
    let _ = write!(
        out,
        "proposal: Synthetic proposal {seed}\nmodel: mcp\ncommissioner: CCG 0\npopulation: {}\nas-of: 2016-07-01\nlaunch: 2017-10-01\n\n",
        group(population + rng.below(population / 10 + 1))
    );
    out.push_str("Generated for benchmarks; every name is invented.\n\n# Case for change\n");
    out.push_str("why-this-model: most of the population's care is primary and community care,\n  which an MCP brings under one budget\nsavings: £12m/yr\n\n# Organisations\n");
    for c in 0..ccgs {
        let _ = write!(
            out,
            "\n## CCG {c}\nkind: ccg\nquorum: {}\n",
            3 + rng.below(4)
        );
    }
    for p in 0..practices {
        let _ = write!(
            out,
            "\n## Practice {p}\nkind: gp-practice\nlist-size: {}\n",
            group(4_000 + rng.below(8_000))
        );
        if rng.chance(60) {
            out.push_str("cqc-registered: yes\n");
        }
    }
    for o in 0..others {
        let kind = rng.pick(&ORG_KINDS);
        let _ = write!(out, "\n## Org {o}\nkind: {kind}\n");
        if rng.chance(85) {
            let _ = writeln!(out, "turnover: £{}m/yr", 1 + rng.below(400));
        }
        if rng.chance(70) {
            let _ = writeln!(
                out,
                "established: {}-{:02}-01",
                2000 + rng.below(17),
                1 + rng.below(12)
            );
        }
        match kind {
            "gp-federation" if practices > 0 => {
                let members: Vec<String> = (0..2 + rng.below(4))
                    .map(|_| format!("Practice {}", rng.below(practices)))
                    .collect();
                let _ = writeln!(out, "members: {}", dedup(members).join(", "));
            }
            "gp-company" | "llp" | "social-enterprise" => {
                // Owners among practices and other organisations, cycles included.
                let owners = 1 + rng.below(3);
                let mut names = Vec::new();
                for _ in 0..owners {
                    if rng.chance(50) && practices > 0 {
                        names.push(format!("Practice {}", rng.below(practices)));
                    } else {
                        names.push(format!("Org {}", rng.below(others)));
                    }
                }
                let names = dedup(names);
                let share = 100 / names.len();
                let items: Vec<String> = names.iter().map(|n| format!("{n} ({share}%)")).collect();
                let _ = writeln!(out, "owned-by: {}", items.join(", "));
            }
            _ => {}
        }
        if rng.chance(10) {
            let _ = writeln!(out, "parent: Org {}", rng.below(others));
        }
        if rng.chance(75) {
            out.push_str("cqc-registered: yes\n");
        }
    }
    out.push_str("\n# People\n");
    for p in 0..people {
        let _ = write!(
            out,
            "\n## Person {p}\nrole: {}\n",
            rng.pick(&["gp", "nurse", "manager", "lay member"])
        );
        if rng.chance(30) {
            let _ = writeln!(out, "member-of: CCG {} (governing body)", rng.below(ccgs));
        }
        if rng.chance(40) && practices > 0 {
            let _ = writeln!(out, "partner-in: Practice {}", rng.below(practices));
        }
        if rng.chance(15) {
            let _ = writeln!(
                out,
                "owns: Org {} ({}%)",
                rng.below(others),
                5 + rng.below(60)
            );
        }
        if rng.chance(20) {
            let _ = writeln!(out, "employed-by: Org {}", rng.below(others));
        }
        if rng.chance(70) {
            out.push_str("interest-declared: 2016-04-01\n");
        }
        if rng.chance(50) {
            out.push_str(
                "conflict-plan: excluded from decisions on contracts with declared interests\n",
            );
        }
    }
    out.push_str("\n# Contracts\n");
    for k in 0..contracts {
        let kind = rng.pick(&CONTRACT_KINDS);
        let _ = write!(
            out,
            "\n## Contract {k}\nkind: {kind}\ncommissioner: CCG {}\n",
            rng.below(ccgs)
        );
        if kind == "alliance" {
            // Two different holders: the same one twice is one link (and
            // REF003), which no real alliance writes.
            let first = rng.below(others);
            let mut second = rng.below(others);
            if second == first {
                second = (second + 1) % others.max(1);
            }
            if second == first {
                let _ = writeln!(out, "holders: Org {first}");
            } else {
                let _ = writeln!(out, "holders: Org {first}, Org {second}");
            }
            if rng.chance(70) {
                out.push_str("alliance-agreement: signed 2016-05-01\n");
            }
        } else {
            let _ = writeln!(out, "holder: Org {}", rng.below(others));
        }
        if rng.chance(50) {
            let _ = writeln!(
                out,
                "subcontractors: Org {}, Practice {}",
                rng.below(others),
                rng.below(practices.max(1))
            );
        }
        if rng.chance(50) {
            let _ = writeln!(out, "value: £{}m/yr", 1 + rng.below(300));
        } else {
            let _ = writeln!(out, "value: £{}m", 5 + rng.below(3000));
        }
        let _ = writeln!(out, "term: {} years\nstart: 2017-04-01", 2 + rng.below(13));
        let procurement = rng.pick(&[
            "competitive",
            "direct-award",
            "most-capable-provider",
            "extension",
        ]);
        let _ = writeln!(out, "procurement: {procurement}");
        if rng.chance(80) {
            out.push_str("advertised: 2016-08-01\n");
        }
        if rng.chance(80) {
            out.push_str("risk-share: gains and losses shared 50:50\n");
        }
        if kind.starts_with("mcp-") {
            out.push_str("gp-core-services: included\n");
            if rng.chance(70) {
                out.push_str("gp-contracts: GMS suspended with a return ticket\n");
            }
        }
        if k > 0 && rng.chance(5) {
            let _ = writeln!(
                out,
                "replaces: Contract {}\nexit-cost: £{}m",
                rng.below(k),
                1 + rng.below(20)
            );
        }
    }
    out.push_str("\n# Liabilities\n");
    for l in 0..liabilities {
        let _ = write!(
            out,
            "\n## Liability {l}\nkind: {}\nannual-charge: £{}m/yr\nremaining-term: {} years\nheld-by: Org {}\n",
            rng.pick(&["pfi", "lease", "loan"]),
            1 + rng.below(30),
            1 + rng.below(30),
            rng.below(others)
        );
        if rng.chance(40) {
            let _ = writeln!(out, "transfers-to: Org {}", rng.below(others));
        }
    }
    out.push_str("\n# Gateway\ncase-for-change: approved 2016-06-20\ncontract-and-capability: pending\nsafe-to-launch: not-started\n\n# Risk\nfailure-regime: services revert to the CCG's existing contracts\n");
    out
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

/// `310000` as `310,000`.
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The densest cluster of conflicts of interest: `people` members of one
/// commissioner, each employed by one of as many organisations that own
/// each other in one cycle, each holding one of as many contracts. Every
/// person has an interest in every organisation and is conflicted on every
/// contract: the case that made COI001 quadratic.
pub fn dense_conflicts(people: usize) -> String {
    use std::fmt::Write as _;
    let n = people.max(1);
    let mut out = String::from(
        "proposal: Dense\nmodel: mcp\npopulation: 50,000\n\n# Case for change\nwhy-this-model: most care is primary and community care\n\n# Organisations\n\n## CCG\nkind: ccg\n",
    );
    for i in 0..n {
        let _ = write!(
            out,
            "\n## Org {i}\nkind: gp-company\nowned-by: Org {}\n",
            (i + 1) % n
        );
    }
    out.push_str("\n# People\n");
    for i in 0..n {
        let _ = write!(
            out,
            "\n## Person {i}\nmember-of: CCG\nemployed-by: Org {i}\ninterest-declared: 2016-01-01\n"
        );
    }
    out.push_str("\n# Contracts\n");
    for i in 0..n {
        let _ = write!(
            out,
            "\n## Contract {i}\nkind: apms\ncommissioner: CCG\nholder: Org {i}\nvalue: £1m/yr\nterm: 5 years\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed() {
        assert_eq!(proposal(200, 7), proposal(200, 7));
        assert_ne!(proposal(200, 7), proposal(200, 8));
    }

    #[test]
    fn grouping() {
        assert_eq!(group(310_000), "310,000");
        assert_eq!(group(999), "999");
        assert_eq!(group(1_000), "1,000");
    }
}
