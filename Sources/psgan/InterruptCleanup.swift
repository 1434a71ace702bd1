import Dispatch
import Foundation

/// Removes a render's temporary output when the user interrupts it (SIGINT, SIGTERM, SIGHUP).
///
/// The render runs on the main thread, so the signals are caught on a background queue, which
/// deletes the temporary files or directories and ends the process at once with 128 + the signal
/// number (`_exit`, so the render loop cannot race it into a different exit status). Renders
/// running side by side (`psgan batch --jobs N`) register each of theirs with ``insert(_:)``.
final class InterruptCleanup: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var targets: Set<URL> = []

    /// The temporary output to remove (the only one); set it as soon as the writer has chosen it.
    var url: URL? {
        get { lock.withLock { targets.first } }
        set { lock.withLock { targets = newValue.map { [$0] } ?? [] } }
    }

    /// Adds a temporary output to remove on interrupt.
    func insert(_ url: URL) {
        _ = lock.withLock { targets.insert(url) }
    }

    /// Forgets a temporary output (renamed into place or already removed).
    func remove(_ url: URL) {
        _ = lock.withLock { targets.remove(url) }
    }

    /// Arms the handlers; nothing is removed until ``url`` is set.
    init() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                for url in self.map({ cleanup in cleanup.lock.withLock { cleanup.targets } }) ?? [] {
                    // The render may still be adding a file to a PNG directory: try a few times.
                    for _ in 0..<3 where FileManager.default.fileExists(atPath: url.path) {
                        try? FileManager.default.removeItem(at: url)
                    }
                }
                FileHandle.standardError.write(Data("\ninterrupted; removed the partial output\n".utf8))
                _exit(128 + number)
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
