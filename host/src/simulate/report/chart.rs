//! One line chart as SVG text (the `plotters` crate's SVG backend): time on
//! the x axis, one line per series, a legend. Every chart of a report is
//! drawn here, so they share their look.

use plotters::prelude::*;

/// A chart that could not be drawn.
pub type ChartError = DrawingAreaErrorKind<std::io::Error>;

/// One line: its name and its points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed-looking thin, for references (an SLO, the oracle).
    pub reference: bool,
}

/// Line colours, one per series in turn (Tableau 10).
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The chart titled `title`, `y_label` up the side, minutes along the bottom.
pub fn line_chart(title: &str, y_label: &str, series: &[Series]) -> Result<String, ChartError> {
    let points = series.iter().flat_map(|s| s.points.iter());
    let x_max = points.clone().map(|p| p.0).fold(1.0, f64::max);
    let y_max = points
        .map(|p| p.1)
        .filter(|y| y.is_finite())
        .fold(0.0, f64::max);
    let y_max = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 340)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc("minutes")
            .y_desc(y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (i, line) in series.iter().enumerate() {
            let colour = if line.reference {
                BLACK
            } else {
                COLOURS[i % COLOURS.len()]
            };
            let style = colour.stroke_width(if line.reference { 1 } else { 2 });
            chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied().filter(|p| p.1.is_finite()),
                    style,
                ))?
                .label(line.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_svg_with_every_series_named() {
        let svg = line_chart(
            "TTFT p99",
            "seconds",
            &[
                Series {
                    name: "seed (static)".into(),
                    points: vec![(0.0, 1.0), (1.0, 2.0)],
                    reference: false,
                },
                Series {
                    name: "SLO".into(),
                    points: vec![(0.0, 2.0), (1.0, 2.0)],
                    reference: true,
                },
            ],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("seed (static)") && svg.contains("SLO") && svg.contains("TTFT p99"));
        assert!(svg.contains("<polyline"));
    }
}
