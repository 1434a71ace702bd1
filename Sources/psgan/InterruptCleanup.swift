import Dispatch
import Foundation

/// Removes a render's temporary output when the user interrupts it (SIGINT, SIGTERM, SIGHUP).
///
/// The render runs on the main thread, so the signals are caught on a background queue, which
/// deletes the temporary file or directory and exits with 128 + the signal number.
final class InterruptCleanup {
    private var sources: [DispatchSourceSignal] = []

    /// Arms the handlers for `url`.
    init(removing url: URL) {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                try? FileManager.default.removeItem(at: url)
                FileHandle.standardError.write(Data("\ninterrupted; removed the partial output\n".utf8))
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default signal handling.
    func disarm() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
    }
}
