//! What every handler gets.

use hikeshi_core::app::App;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
}

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest JSON body accepted (bytes).
    pub max_body: usize,
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Alert deduplication windows (default 24 h, per source).
    pub alerts: hikeshi_core::app::AlertPolicy,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            max_body: 2 * 1024 * 1024,
            secure_cookies: false,
            alerts: Default::default(),
        }
    }
}
