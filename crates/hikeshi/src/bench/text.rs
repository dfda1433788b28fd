//! Realistic Japanese and English incident text for seeding.

const JA_SUBJECTS: &[&str] = &[
    "フィッシングサイトの報告",
    "不正アクセスの疑い",
    "マルウエア感染端末の検知",
    "DDoS攻撃による障害",
    "情報漏えいの可能性",
    "標的型攻撃メールの受信",
    "Webサイト改ざん",
    "ランサムウエア感染",
    "認証情報の窃取",
    "脆弱性を悪用した攻撃",
];
const EN_SUBJECTS: &[&str] = &[
    "Phishing site impersonating bank",
    "Brute-force login attempts",
    "Malware beaconing to C2",
    "DDoS against web front end",
    "Possible data leak",
    "Spear-phishing campaign",
    "Website defacement",
    "Ransomware on file server",
    "Credential theft",
    "Exploitation of VPN vulnerability",
];
const JA_BODY: &[&str] = &[
    "社内サーバへの不正アクセスを検知しました。",
    "送信元IPアドレスは海外のホスティング事業者です。",
    "該当端末をネットワークから隔離しました。",
    "取引先から不審なメールが届いたとの連絡がありました。",
    "ログを確認したところ、深夜に大量の認証失敗が記録されていました。",
    "影響範囲を特定するため調査を継続しています。",
    "攻撃者はVPN装置の脆弱性を悪用したとみられます。",
];
const EN_BODY: &[&str] = &[
    "We observed repeated authentication failures from a hosting provider.",
    "The affected host was isolated from the network.",
    "A customer forwarded a suspicious e-mail with a credential harvesting link.",
    "Traffic to the C2 domain stopped after the block.",
    "Scope analysis is ongoing; no exfiltration confirmed yet.",
    "The attacker exploited an unpatched VPN appliance.",
];

/// A small deterministic generator (xorshift), so runs are comparable.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }

    /// (title, description) in Japanese or English, with an IP and a host name.
    pub fn incident(&mut self, i: u64) -> (String, String) {
        let ip = format!("198.51.{}.{}", self.next() % 256, self.next() % 256);
        if self.next().is_multiple_of(2) {
            let title = format!("{} #{i}", self.pick(JA_SUBJECTS));
            let body = format!(
                "{}{}送信元: {ip}。{}",
                self.pick(JA_BODY),
                self.pick(JA_BODY),
                self.pick(JA_BODY)
            );
            (title, body)
        } else {
            let title = format!("{} #{i}", self.pick(EN_SUBJECTS));
            let body = format!(
                "{} {} Source: {ip}. {}",
                self.pick(EN_BODY),
                self.pick(EN_BODY),
                self.pick(EN_BODY)
            );
            (title, body)
        }
    }
}

/// Queries a handler would type: long and short Japanese terms, English words, two terms.
pub const QUERIES: &[&str] = &[
    "フィッシング",
    "攻撃",
    "不正アクセス",
    "phishing",
    "ransomware",
    "VPN 脆弱性",
    "漏えい",
    "C2",
    "隔離",
    "credential theft",
];
