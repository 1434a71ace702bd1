import Foundation
import PSGANKit
import Testing

/// Whether this process may mount a small tmpfs (root with CAP_SYS_ADMIN): the full-disk and
/// read-only tests need one, and are skipped, with that reason, where they cannot have it.
let canMountTmpfs: Bool = {
    guard getuid() == 0, let dir = try? CLI.temporaryDirectory() else { return false }
    defer { try? FileManager.default.removeItem(at: dir) }
    guard (try? CLI.capture(URL(fileURLWithPath: "/usr/bin/env"), ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", dir.path]))?.status == 0 else {
        return false
    }
    _ = try? CLI.capture(URL(fileURLWithPath: "/usr/bin/env"), ["umount", dir.path])
    return true
}()

/// Killed processes, full disks, read-only folders, unwritable reports, and messages that repeat
/// what a user typed: each ends in one short line naming the file, and no output is lost or left half.
@Suite struct FailureModeTests {
    /// A new folder with a small tmpfs mounted on it (`options` such as "ro"); unmounted by `body`'s end.
    func withTmpfs(_ options: String, _ body: (URL) throws -> Void) throws {
        let dir = try CLI.temporaryDirectory()
        let mounted = try CLI.capture(URL(fileURLWithPath: "/usr/bin/env"), ["mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.path])
        try #require(mounted.status == 0, "mount: \(mounted.errors)")
        defer {
            _ = try? CLI.capture(URL(fileURLWithPath: "/usr/bin/env"), ["umount", dir.path])
            try? FileManager.default.removeItem(at: dir)
        }
        try body(dir)
    }

    /// The one error line of a failed run (after it, argument-parser's usage lines may follow).
    func oneErrorLine(_ result: CLIResult, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let lines = result.errors.split(separator: "\n").filter { !$0.hasPrefix("Help: ") && !$0.hasPrefix("Usage: ") && !$0.hasPrefix("  See '") }
        #expect(lines.count == 1, "want one line: \(result.errors)", sourceLocation: sourceLocation)
        return String(lines.first ?? "")
    }

    @Test(.enabled(if: canMountTmpfs, "needs root to mount a small tmpfs"))
    func fullDiskAndReadOnlyFolderEndInOneLineAndLeaveNothing() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir)
        let poses = try CLI.poseFile(in: dir, frames: 300)
        try withTmpfs("size=8k") { full in
            let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--codec", "ffv1",
                                      "--out", full.appendingPathComponent("clip.mkv").path, "--quiet"])
            #expect(result.status != 0)
            let line = oneErrorLine(result)
            #expect(line.contains("clip.mkv") && line.contains("disk full"), "\(line)")
            #expect(CLI.contents(of: full).isEmpty)
            // Foundation's writers too ("There isn't enough space." before).
            let converted = try CLI.run(["pose", "convert", poses.path, "--out", full.appendingPathComponent("big.json").path])
            #expect(converted.status != 0 && oneErrorLine(converted).contains("disk full"), "\(converted.errors)")
            #expect(CLI.contents(of: full).isEmpty)
            // A batch whose every job fails there leaves no empty output folders either.
            let manifest = dir.appendingPathComponent("jobs.json")
            try #"{"version": 1, "defaults": {"model": "tiny.safetensors", "codec": "ffv1"}, "characters": [1, 2], "poses": ["poses.json"], "output": "\#(full.path)/out/{character}/{pose}.mkv"}"#
                .write(to: manifest, atomically: true, encoding: .utf8)
            let batch = try CLI.run(["batch", manifest.path])
            #expect(batch.status != 0 && batch.errors.contains("disk full"), "\(batch.errors)")
            #expect(CLI.contents(of: full).isEmpty)
        }
        try withTmpfs("ro,size=8k") { readOnly in
            for (command, out) in [(["render", "--model", model.path, "--poses", poses.path, "--quiet"], "clip.mp4"),
                                   (["pose", "convert", poses.path], "poses.json")] {
                let result = try CLI.run(command + ["--out", readOnly.appendingPathComponent(out).path])
                #expect(result.status != 0)
                let line = oneErrorLine(result)
                #expect(line.contains(out) && line.contains("read-only file system"), "\(line)")
            }
        }
    }

    @Test func aKilledRendersLeftoverIsRemovedByTheNextRender() throws {
        let dir = try CLI.temporaryDirectory()
        let model = dir.appendingPathComponent("m.safetensors")
        #expect(try CLI.run(["model", "init", "--resolution", "64", "--latent-dim", "16", "--channels", "4:32,8:32,16:32,32:32,64:32",
                             "--out", model.path]).status == 0)
        let long = try CLI.poseFile(in: dir, frames: 4000, name: "long.json")
        let out = dir.appendingPathComponent("clip.mp4")
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["render", "--model", model.path, "--poses", long.path, "--out", out.path, "--quiet"]
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !CLI.contents(of: dir).contains(where: { $0.hasPrefix(".clip.partial-") }) && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationStatus == SIGKILL)
        #expect(CLI.contents(of: dir).contains { $0.hasPrefix(".clip.partial-") }, "SIGKILL cannot clean up; the next render must")
        let short = try CLI.poseFile(in: dir, frames: 3, name: "short.json")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", short.path, "--out", out.path, "--quiet"]).status == 0)
        #expect(CLI.contents(of: dir) == ["m.safetensors", "long.json", "short.json", "clip.mp4"])
        #expect(try CLI.probe(out)["nb_read_frames"] as? String == "3")
    }

    @Test func compareSaysTwoWhenItCannotWriteAndOneOnlyForDifferentFrames() throws {
        let dir = try CLI.temporaryDirectory()
        let frames = dir.appendingPathComponent("a")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        try PNGFile.write(RGBImage(width: 4, height: 4, pixels: Array(repeating: 9, count: 48)), to: frames.appendingPathComponent("f.png"))
        let blocker = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        for extra in [["--report", blocker.appendingPathComponent("r.json").path], ["--diff-dir", blocker.appendingPathComponent("d").path]] {
            let result = try CLI.run(["compare", frames.path, frames.path, "--quiet"] + extra)
            #expect(result.status == 2, "\(extra): \(result.errors)")
            let line = oneErrorLine(result)
            #expect(line.contains(blocker.path) && line.contains("not a directory"), "\(line)")
        }
    }

    @Test func messagesRepeatUserStringsOnOneShortLineInPlainWords() throws {
        let dir = try CLI.temporaryDirectory()
        let poses = try CLI.poseFile(in: dir)
        let out = dir.appendingPathComponent("o.mp4").path
        for codec in ["h2\n64\u{0}x", String(repeating: "q", count: 100_000)] {
            let result = try CLI.run(["render", "--poses", poses.path, "--codec", codec, "--out", out])
            #expect(result.status != 0)
            let line = oneErrorLine(result)
            #expect(line.count < 600 && line.contains("codec") && !line.contains("\u{0}"), "\(line.prefix(200))")
        }
        let text = try String(contentsOf: poses, encoding: .utf8).replacingOccurrences(of: "\"layout\": \"coco18\"", with: "\"layout\": \"my\\nrig\\u0000\"")
        let custom = dir.appendingPathComponent("custom.json")
        try text.write(to: custom, atomically: true, encoding: .utf8)
        let layout = try CLI.run(["render", "--poses", custom.path, "--out", out])
        #expect(oneErrorLine(layout).contains("custom.json"))
        // A keypoint name with newlines in it: one line, the newlines shown as \n.
        let names = (0 ..< 18).map { [0: #""Nose""#, 1: #""Neck""#, 2: #""R\nShoulder\n""#][$0] ?? #""k\#($0)""# }.joined(separator: ", ")
        let named = dir.appendingPathComponent("named.json")
        try text.replacingOccurrences(of: "\"layout\": \"my\\nrig\\u0000\"", with: "\"layout\": \"coco18\", \"keypoint_names\": [\(names)]")
            .write(to: named, atomically: true, encoding: .utf8)
        let nameLine = oneErrorLine(try CLI.run(["render", "--poses", named.path, "--out", out]))
        #expect(nameLine.contains("named.json") && nameLine.contains(#"keypoint_names[2] is "R\nShoulder\n""#), "\(nameLine)")
        try FileManager.default.removeItem(at: named)
        for missing in [dir.appendingPathComponent("absent.json"), dir.appendingPathComponent("o.mp4/x.json")] {
            let result = try CLI.run(["render", "--poses", missing.path, "--out", out])
            let line = oneErrorLine(result)
            #expect(line.contains(missing.lastPathComponent), "\(line)")
            for leak in ["The operation could not be completed", "NSCocoaErrorDomain", "The file", "doesn’t exist"] {
                #expect(!line.contains(leak), "\(line)")
            }
        }
        // A NUL in a manifest's pose path is shown escaped, not percent-encoded.
        let manifest = dir.appendingPathComponent("m.json")
        try #"{"version": 1, "characters": [1], "poses": ["a\u0000b\nc.json"], "output": "o/{pose}.mkv"}"#.write(to: manifest, atomically: true, encoding: .utf8)
        let nul = oneErrorLine(try CLI.run(["batch", manifest.path]))
        #expect(nul.contains(#"'a\0b\nc'"#) && !nul.contains("%00"), "\(nul)")
        try FileManager.default.removeItem(at: manifest)
        // A character file's problem names the file, not the character's "name" field.
        let character = dir.appendingPathComponent("ayumi.json")
        try #"{"name": "Ayumi", "latent": [1, 2]}"#.write(to: character, atomically: true, encoding: .utf8)
        let model = try CLI.tinyModel(in: dir)
        let wrongSize = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--character", character.path, "--out", out])
        #expect(oneErrorLine(wrongSize).contains("\(character.path): latent has 2 values"), "\(wrongSize.errors)")
        #expect(CLI.contents(of: dir) == ["poses.json", "custom.json", "ayumi.json", "tiny.safetensors"])
    }
}
