import Foundation
import PSGANTestSupport
import Testing

/// The qemu-x86_64 program on the PATH, on x86-64 machines.
enum QEMU {
    static let program: URL? = {
        #if arch(x86_64)
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(directory)).appendingPathComponent("qemu-x86_64")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        #endif
        return nil
    }()
}

/// psgan on processors other than this one, emulated by qemu-user (`scripts/setup` installs it).
@Suite(.enabled(if: QEMU.program != nil, "needs qemu-x86_64 (scripts/setup installs qemu-user)"))
struct CPUCheckTests {
    /// Runs psgan under qemu emulating `cpu`; qemu's own warnings about features its emulator lacks
    /// are dropped from the errors.
    static func run(cpu: String, _ arguments: [String]) throws -> CLIResult {
        let result = try CLI.capture(QEMU.program!, ["-cpu", cpu, CLI.executable.path] + arguments)
        let errors = String(decoding: result.errors, as: UTF8.self).split(separator: "\n")
            .filter { !$0.hasPrefix("qemu-x86_64: warning:") }.joined(separator: "\n")
        return CLIResult(status: result.status, output: String(decoding: result.output, as: UTF8.self), errors: errors)
    }

    /// A 2010 processor (Westmere: SSE4.2, no AVX): one line naming AVX2, exit 1, before any kernel
    /// runs (no SIGILL, no crash report) and before anything is written.
    @Test func aCPUWithoutAVX2IsToldSoInOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir)
        let before = CLI.contents(of: dir)
        for arguments in [["render", "--model", model.path, "--poses", poses.path, "--out", dir.appendingPathComponent("a.mp4").path],
                          ["bench", "--resolution", "16"], ["--version"]] {
            let result = try Self.run(cpu: "Westmere", arguments)
            #expect(result.status == 1, "\(arguments): \(result.status) \(result.errors)")
            #expect(result.errors == "Error: psgan needs a CPU with AVX2 and FMA (Intel Haswell, AMD Excavator or newer, "
                + "2013 on); this one has no AVX2", "\(result.errors)")
        }
        #expect(CLI.contents(of: dir) == before)
    }

    /// The oldest processor psgan is for (Haswell: AVX2 and FMA, no AVX-512) runs a whole render:
    /// nothing in the kernels needs more than the check asks for.
    @Test func aHaswellCPURendersTheSameFrames() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 3)
        let emulated = dir.appendingPathComponent("emulated.mkv"), native = dir.appendingPathComponent("native.mkv")
        let result = try Self.run(cpu: "Haswell", ["render", "--model", model.path, "--poses", poses.path, "--codec", "ffv1",
                                                   "--out", emulated.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", "ffv1", "--out", native.path, "--quiet"]).status == 0)
        let frames = try CLI.decode(emulated, frameBytes: 16 * 16 * 3)
        #expect(frames.count == 3)
        // The same arithmetic on either processor, to the rounding of the quantised bytes.
        let reference = try CLI.decode(native, frameBytes: 16 * 16 * 3)
        let worst = zip(frames.joined(), reference.joined()).map { abs(Int($0) - Int($1)) }.max() ?? 255
        #expect(worst <= 1, "largest difference \(worst) levels")
    }
}
