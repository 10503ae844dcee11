//! What a simulation shows a person: the scorecards side by side in the
//! terminal (`table`), and an HTML page with SVG charts of every run on the
//! same axes (`html`, `chart`).

mod chart;
mod html;
mod table;

pub use html::{PAGE, ReportError, write_html};
pub use table::table;
