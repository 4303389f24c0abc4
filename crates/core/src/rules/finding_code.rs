//! The messages and fixes of the findings about the app's code
//! (`undeclared-variable`, `unused-variable`, `hardcoded-localhost`).

use super::FindingKind;

impl FindingKind {
    /// `message` for the code rules' kinds.
    pub(super) fn code_message(&self, env: &str) -> String {
        match self {
            FindingKind::UndeclaredVariable {
                name,
                access,
                more,
                elsewhere,
            } => {
                let also = match more {
                    0 => String::new(),
                    1 => " (and in 1 more place)".to_string(),
                    n => format!(" (and in {n} more places)"),
                };
                let routed = if elsewhere.is_empty() {
                    String::new()
                } else {
                    format!("; it goes to {}", elsewhere.join(", "))
                };
                format!(
                    "the code reads {name} ({access}){also}, but {env} does not provide it to this target{routed}"
                )
            }
            FindingKind::UnusedVariable { name, code } => {
                format!(
                    "{name} is provided in {env}, but no code this target serves reads it (scanned: {code})"
                )
            }
            FindingKind::HardcodedLocalhost { host } => {
                format!("a {host} URL is written into code that {env} deploys")
            }
            // `message` sends only the kinds above here.
            _ => String::new(),
        }
    }

    /// `fix` for the code rules' kinds.
    pub(super) fn code_fix(&self) -> String {
        match self {
            FindingKind::UndeclaredVariable {
                name, elsewhere, ..
            } if !elsewhere.is_empty() => format!(
                "send {name} to this target too (its `targets:`, or the target's `receives:` or route), or stop reading it here"
            ),
            FindingKind::UndeclaredVariable { name, .. } => format!(
                "declare {name} under `variables:` for this environment (or in `defaults.variables`), or remove the read"
            ),
            FindingKind::UnusedVariable { name, .. } => format!(
                "stop sending {name} to this target (`targets:`, `receives:`, `routes:`), or add the folder whose code reads it to the target's `code:`"
            ),
            FindingKind::HardcodedLocalhost { .. } => "read the URL from a variable set per environment (e.g. `import.meta.env.VITE_API_URL`); a URL for local development only goes in an `import.meta.env.DEV` branch".into(),
            _ => String::new(),
        }
    }
}
