import Foundation
import PSGANTestSupport
import Testing

/// `--audio`: both streams in the file, their lengths matched, checked with ffprobe.
@Suite struct AudioTests {
    /// Each stream's codec and end time (last packet's pts + duration), by ffprobe's packets.
    static func streams(_ url: URL) throws -> [(codec: String, start: Double, end: Double)] {
        let json = try #require(try JSONSerialization.jsonObject(with: TestSupport.run("ffprobe", [
            "-v", "error", "-show_entries", "stream=index,codec_name:packet=stream_index,pts_time,duration_time", "-of", "json", url.path,
        ])) as? [String: Any])
        let streams = try #require(json["streams"] as? [[String: Any]])
        let packets = try #require(json["packets"] as? [[String: Any]])
        return streams.map { stream in
            let index = stream["index"] as? Int ?? -1
            let own = packets.filter { $0["stream_index"] as? Int == index }
            let starts = own.compactMap { ($0["pts_time"] as? String).flatMap(Double.init) }
            let ends = own.compactMap { packet -> Double? in
                guard let pts = (packet["pts_time"] as? String).flatMap(Double.init) else { return nil }
                return pts + ((packet["duration_time"] as? String).flatMap(Double.init) ?? 0)
            }
            return (stream["codec_name"] as? String ?? "", starts.min() ?? -1, ends.max() ?? -1)
        }
    }

    static func tone(_ seconds: Double, codec: String, name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:a", codec, url.path])
        return url
    }

    @Test func aShorterTrackCutsTheVideoAndIsCopiedWhenTheContainerTakesIt() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 60, fps: 30)
        let audio = try Self.tone(1.2, codec: "libmp3lame", name: "tone.mp3", in: dir)
        let out = dir.appendingPathComponent("clip.mp4")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", audio.path, "--out", out.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let streams = try Self.streams(out)
        #expect(streams.map(\.codec) == ["h264", "mp3"], "the mp3 is copied into the .mp4")
        // 60 frames at 30 fps would be 2 s; the 1.2 s track (plus the encoder's padding) cuts the video.
        #expect(streams[0].end < 1.4 && abs(streams[0].end - streams[1].end) <= 1.0 / 30 + 0.03, "\(streams)")
    }

    @Test func aLongerTrackIsCutAndEncodedWhenTheContainerCannotTakeIt() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 30, fps: 30)
        let audio = try Self.tone(4, codec: "aac", name: "tone.m4a", in: dir)
        let out = dir.appendingPathComponent("clip.webm")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", audio.path, "--out", out.path, "--quiet"]).status == 0)
        let streams = try Self.streams(out)
        #expect(streams.map(\.codec) == ["vp9", "opus"], "AAC is not WebM's: encoded to Opus")
        #expect(abs(streams[0].end - 1) < 0.01 && abs(streams[1].end - 1) <= 0.03, "both 1 s: \(streams)")
    }

    @Test func keepLengthAndOffsetKeepBothWhole() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 15, fps: 30)
        let audio = try Self.tone(2, codec: "aac", name: "tone.m4a", in: dir)
        let out = dir.appendingPathComponent("clip.mkv")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", audio.path, "--audio-offset", "0.25",
                             "--keep-length", "--out", out.path, "--quiet"]).status == 0)
        let streams = try Self.streams(out)
        #expect(streams.map(\.codec) == ["h264", "aac"])
        #expect(abs(streams[0].end - 0.5) < 0.01, "15 frames: \(streams)")
        #expect(abs(streams[1].start - 0.25) < 0.03 && abs(streams[1].end - 2.25) < 0.05, "the track starts at 0.25 s and runs 2 s: \(streams)")
        // A negative offset skips the track's start: 2 s - 0.5 s of audio under 15 frames cuts the audio at 0.5 s.
        let skipped = dir.appendingPathComponent("skipped.mkv")
        #expect(try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", audio.path, "--audio-offset", "-0.5",
                             "--out", skipped.path, "--quiet"]).status == 0)
        let cut = try Self.streams(skipped)
        #expect(abs(cut[1].start) < 0.03 && abs(cut[1].end - 0.5) < 0.05, "\(cut)")
    }

    @Test func aFileWithoutAudioOrFramesWithoutAContainerFailInOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir)
        let silent = dir.appendingPathComponent("silent.mkv")
        try TestSupport.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=s=16x16", "-frames:v", "3", "-c:v", "ffv1", silent.path])
        let before = CLI.contents(of: dir)
        let none = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", silent.path,
                                "--out", dir.appendingPathComponent("a.mp4").path])
        #expect(none.status != 0 && none.errors.contains("silent.mkv: has no audio stream"), "\(none.errors)")
        let frames = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", silent.path, "--codec", "png",
                                  "--out", dir.appendingPathComponent("frames").path])
        #expect(frames.status != 0 && frames.errors.contains("PNG frames cannot carry audio"), "\(frames.errors)")
        let missing = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", dir.appendingPathComponent("nope.wav").path,
                                   "--out", dir.appendingPathComponent("b.mp4").path])
        #expect(missing.status != 0 && missing.errors.contains("nope.wav: cannot open the audio file"), "\(missing.errors)")
        for result in [none, frames, missing] { #expect(result.errors.split(separator: "\n").count == 1) }
        #expect(CLI.contents(of: dir) == before, "nothing written")
    }
}
