import ArgumentParser
import CPUFeatures
import Foundation
import PSGANKit
import PSGANStudio

/// `psgan-studio`: the studio in the browser (`docs/studio.md`).
@main
struct StudioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psgan-studio",
        abstract: "Pose, pick and render characters in the browser: a local web app over psgan.",
        discussion: """
            Serves one page and a JSON API on http://HOST:PORT/ (127.0.0.1 unless --host says otherwise); \
            opens no browser. Files live in the workspace, addressed by ids. Ctrl-C or SIGTERM stops it, \
            cancelling a render in progress (nothing partial is left).

            Example:
              swift run -c release psgan-studio --workspace ~/psgan-studio
            """
    )

    @Option(help: "Port to listen on.")
    var port = 8470

    @Option(help: "Address to listen on (127.0.0.1: this machine only).")
    var host = "127.0.0.1"

    @Option(help: "Folder for uploads and renders (default: ./psgan-studio).")
    var workspace = "psgan-studio"

    @Option(help: "Generator file (default: $PSGAN_MODEL, else the bundled model).")
    var model: String?

    func run() async throws {
        let studio = try Studio(configuration: .init(host: host, port: port, workspace: URL(fileURLWithPath: workspace),
                                                     model: try BundledResources.model(model)))
        FileHandle.standardError.write(Data("psgan studio: http://\(host == "::1" ? "[::1]" : host):\(port)/ (workspace \(workspace); Ctrl-C stops it)\n".utf8))
        defer { studio.queue.cancelAll() }
        try await studio.application().runService()
    }

    /// Checks the processor first (the library is compiled for AVX2 and FMA, as psgan checks), then
    /// parses and runs.
    static func main() async {
        if psgan_cpu_runs_kernels() == 0 {
            FileHandle.standardError.write(Data(("Error: psgan needs a CPU with AVX2 and FMA (Intel Haswell, AMD Excavator or newer, "
                + "2013 on); this one has no \(String(cString: psgan_cpu_missing_feature()))\n").utf8))
            Foundation.exit(1)
        }
        do {
            guard var command = try parseAsRoot() as? StudioCommand else { return }
            try await command.run()
        } catch {
            exit(withError: error)
        }
    }
}
