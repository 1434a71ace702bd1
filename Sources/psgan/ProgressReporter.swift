import Foundation
import PSGANKit

/// Shows a render's progress: a bar on a terminal, plain lines otherwise, nothing with `--quiet`.
///
/// Everything goes to standard error, so standard output stays free for scripts.
final class ProgressReporter {
    private let quiet: Bool
    private let interactive: Bool
    private var lastDraw = 0.0
    private var lastPlainStep = -1

    init(quiet: Bool) {
        self.quiet = quiet
        self.interactive = isatty(STDERR_FILENO) == 1
    }

    /// Called after every frame.
    func update(_ progress: RenderProgress) {
        guard !quiet else { return }
        let eta = progress.remaining.map(Self.clock) ?? "--:--"
        let rate = String(format: "%.2f", progress.framesPerSecond)
        if progress.total <= 0 {
            // The total is not known: frames so far and the speed, no bar or ETA.
            guard interactive || progress.elapsed - lastDraw >= 5 || progress.completed == 1 else { return }
            guard !interactive || progress.elapsed - lastDraw >= 0.1 else { return }
            lastDraw = progress.elapsed
            write(interactive ? "\r\(progress.completed) frames  \(rate) frames/s " : "\(progress.completed) frames so far (\(rate) frames/s)\n")
        } else if interactive {
            guard progress.completed == progress.total || progress.elapsed - lastDraw >= 0.1 else { return }
            lastDraw = progress.elapsed
            let width = 30
            let filled = progress.total > 0 ? width * progress.completed / progress.total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            write("\r[\(bar)] \(progress.completed)/\(progress.total) frames  \(rate) frames/s  ETA \(eta) ")
        } else {
            // About every tenth of the render, and the last frame.
            let step = progress.total > 0 ? 10 * progress.completed / progress.total : 10
            guard step != lastPlainStep || progress.completed == progress.total else { return }
            lastPlainStep = step
            write("rendered \(progress.completed)/\(progress.total) frames (\(rate) frames/s, ETA \(eta))\n")
        }
    }

    /// Ends the bar and prints the summary line.
    func finish(summary: String) {
        guard !quiet else { return }
        if interactive { write("\n") }
        write(summary + "\n")
    }

    /// Ends the bar's line before an error is printed.
    func abandon() {
        if !quiet && interactive { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
