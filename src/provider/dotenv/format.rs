//! TEMPORARY stub until the dotenv format module lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}
pub struct Document {
    entries: Vec<(String, String)>,
}
impl Document {
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        Ok(Document {
            entries: text
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim_start_matches("export ").to_string(), v.to_string()))
                .collect(),
        })
    }
    pub fn entries(&self) -> Vec<(&str, &str)> {
        self.entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
    pub fn has_expansion(&self, _key: &str) -> bool {
        false
    }
    pub fn try_set(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.remove(key);
        self.entries.push((key.into(), value.into()));
        Ok(())
    }
    pub fn remove(&mut self, key: &str) -> bool {
        let n = self.entries.len();
        self.entries.retain(|(k, _)| k != key);
        n != self.entries.len()
    }
    pub fn render(&self) -> String {
        self.entries
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }
}
