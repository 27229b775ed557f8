//! Partners are configuration: the Spin variable `oidc_clients`, a JSON array of
//! [`Client`]. Secrets are never in it, only the SHA-256 of each client secret.

use common::Req;
use serde::{Deserialize, Serialize};

/// One partner site (an OIDC relying party).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub client_id: String,
    /// Shown on the consent page and in *Il mio profilo*.
    pub name: String,
    /// `co` (Comunicazioni Obbligatorie of one province: a company hand-off) or `gg`
    /// (Garanzia Giovani: a registered citizen).
    pub kind: String,
    /// CO sites: the province's code (`FI`, `PI`, …).
    #[serde(default)]
    pub province: Option<String>,
    /// Hex SHA-256 of the client secret (client_secret_basic / client_secret_post).
    pub secret_sha256: String,
    /// Redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// The partner's login start (OIDC Core 4, third-party initiated login): the
    /// hand-off sends the browser there with `iss` and `login_hint`.
    pub initiate_login_uri: String,
    /// OIDC Back-Channel Logout 1.0: where the job `POST /jobs/oidc/logout` POSTs the
    /// logout token when a portal session in which the partner signed the person in ends.
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
}

impl Client {
    pub fn is_co(&self) -> bool {
        self.kind == "co"
    }
}

/// The configured partners (none when the variable is empty or malformed: logged).
pub fn clients(req: &Req) -> Vec<Client> {
    let Some(raw) = req.var_text("oidc_clients") else { return Vec::new() };
    match serde_json::from_str::<Vec<Client>>(&raw) {
        Ok(list) => list.into_iter().filter(|c| c.kind == "co" || c.kind == "gg").collect(),
        Err(e) => {
            eprintln!("oidc: oidc_clients is not valid: {e}");
            Vec::new()
        }
    }
}

pub fn client(req: &Req, id: &str) -> Option<Client> {
    clients(req).into_iter().find(|c| c.client_id == id)
}

/// The issuer: `base_url` without a trailing slash.
pub fn issuer(req: &Req) -> String {
    req.var_text("base_url").unwrap_or_else(|| "http://127.0.0.1:3000".into()).trim_end_matches('/').to_string()
}
