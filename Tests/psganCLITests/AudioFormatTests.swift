import Foundation
import PSGANTestSupport
import Testing

/// `--audio` with every common kind of audio file, into every container psgan writes, checked with
/// ffprobe: the stream is there, copied or encoded as docs/production.md lists, and as long as the video.
@Suite struct AudioFormatTests {
    /// One kind of audio file, made by the `ffmpeg` program from a 1.5 s tone.
    struct Source: CustomTestStringConvertible, Sendable {
        let name: String
        /// ffmpeg's output options (codec, rate, channels).
        let options: [String]
        /// The codec ffprobe names in the file.
        let codec: String
        var testDescription: String { name }
    }

    static let sources: [Source] = [
        Source(name: "u8-mono-8k.wav", options: ["-c:a", "pcm_u8", "-ar", "8000", "-ac", "1"], codec: "pcm_u8"),
        Source(name: "s16-stereo-44k.wav", options: ["-c:a", "pcm_s16le", "-ar", "44100", "-ac", "2"], codec: "pcm_s16le"),
        Source(name: "s24-5.1-96k.wav", options: ["-c:a", "pcm_s24le", "-ar", "96000", "-ac", "6"], codec: "pcm_s24le"),
        Source(name: "s32-mono-48k.wav", options: ["-c:a", "pcm_s32le", "-ar", "48000", "-ac", "1"], codec: "pcm_s32le"),
        Source(name: "f32-stereo-192k.wav", options: ["-c:a", "pcm_f32le", "-ar", "192000", "-ac", "2"], codec: "pcm_f32le"),
        Source(name: "s16-stereo.aiff", options: ["-c:a", "pcm_s16be", "-ar", "44100", "-ac", "2"], codec: "pcm_s16be"),
        Source(name: "tone.flac", options: ["-c:a", "flac", "-ar", "44100", "-ac", "2"], codec: "flac"),
        Source(name: "alac.m4a", options: ["-c:a", "alac", "-ar", "44100", "-ac", "2"], codec: "alac"),
        Source(name: "tone.mp3", options: ["-c:a", "libmp3lame", "-ar", "44100", "-ac", "2"], codec: "mp3"),
        Source(name: "aac.m4a", options: ["-c:a", "aac", "-ar", "48000", "-ac", "2"], codec: "aac"),
        Source(name: "vorbis.ogg", options: ["-c:a", "libvorbis", "-ar", "44100", "-ac", "2"], codec: "vorbis"),
        Source(name: "tone.opus", options: ["-c:a", "libopus", "-ar", "48000", "-ac", "2"], codec: "opus"),
        Source(name: "film.mp4", options: ["-c:v", "mpeg4", "-c:a", "aac", "-ac", "2"], codec: "aac"),
        Source(name: "film.mkv", options: ["-c:v", "ffv1", "-c:a", "pcm_s16le", "-ac", "2"], codec: "pcm_s16le"),
    ]

    /// The audio codec the documented list gives for `source` in a file of `container`.
    static func expectedCodec(_ source: String, in container: String) -> String {
        let copies: [String: Set<String>] = ["aac": ["mp4", "mov", "mkv"], "mp3": ["mp4", "mov", "mkv"],
                                             "opus": ["mp4", "mkv", "webm"], "vorbis": ["mkv", "webm"]]
        if copies[source]?.contains(container) == true { return source }
        return container == "webm" ? "opus" : "aac"
    }

    /// Whether the video lasts `video` seconds (to 10 ms) and the audio ends `audio` seconds after
    /// the video's start (to 0.1 s). Matroska moves both streams by the encoder's priming delay
    /// (about 21 ms for AAC) to keep timestamps non-negative, so times count from the video's start.
    static func lengths(_ streams: [(codec: String, start: Double, end: Double)], video: Double, audio: Double) -> Bool {
        abs(streams[0].end - streams[0].start - video) < 0.01 && abs(streams[1].end - streams[0].start - audio) < 0.1
    }

    static func make(_ source: Source, seconds: Double, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(source.name)
        var inputs = ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)"]
        if source.options.contains("-c:v") {
            inputs += ["-f", "lavfi", "-i", "testsrc=size=32x32:rate=10:duration=\(seconds)"]
        }
        try TestSupport.run("ffmpeg", ["-v", "error"] + inputs + source.options + [url.path])
        return url
    }

    @Test(arguments: sources)
    func everyCommonAudioFileGoesIntoEveryContainer(_ source: Source) throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 30, fps: 30)
        let audio = try Self.make(source, seconds: 1.5, in: dir)
        let probed = try AudioTests.streams(audio).first { !["mpeg4", "ffv1"].contains($0.codec) }
        #expect(probed?.codec == source.codec, "ffmpeg made \(String(describing: probed))")
        for container in ["mp4", "mov", "mkv", "webm"] {
            // The 1 s clip is shorter than the 1.5 s audio: the audio is cut at the video's end.
            let out = dir.appendingPathComponent("clip.\(container)")
            let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", audio.path,
                                      "--out", out.path, "--quiet"])
            #expect(result.status == 0, "\(container): \(result.errors)")
            guard result.status == 0 else { continue }
            let streams = try AudioTests.streams(out)
            #expect(streams.count == 2 && streams[1].codec == Self.expectedCodec(source.codec, in: container), "\(container): \(streams)")
            #expect(streams.count == 2 && Self.lengths(streams, video: 1, audio: 1), "\(container): \(streams)")
        }
        // --keep-length keeps the whole track under the shorter video.
        let kept = dir.appendingPathComponent("kept.mkv")
        let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", audio.path, "--keep-length",
                                  "--out", kept.path, "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        let streams = try AudioTests.streams(kept)
        #expect(streams.count == 2 && Self.lengths(streams, video: 1, audio: 1.5), "\(streams)")
    }

    /// An audio file psgan cannot use fails at once, before any frame is rendered, in one line,
    /// and nothing is written.
    @Test func anUnusableAudioFileFailsBeforeTheRender() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 3000, fps: 30)
        let mp3 = try Self.make(Self.sources[8], seconds: 2, in: dir)
        // Bytes that are no audio file; a WAV whose header is cut short; an MP3 whose frames are all noise.
        let noise = dir.appendingPathComponent("noise.wav")
        try Data((0 ..< 4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }).write(to: noise)
        let wav = try Self.make(Self.sources[1], seconds: 1, in: dir)
        let cut = dir.appendingPathComponent("cut.wav")
        try Data(try Data(contentsOf: wav).prefix(30)).write(to: cut)
        var garbled = try Data(contentsOf: mp3)
        for i in stride(from: 0, to: garbled.count, by: 1) where i % 7 != 0 { garbled[i] = UInt8(truncatingIfNeeded: i &* 31) }
        let damaged = dir.appendingPathComponent("damaged.mp3")
        try garbled.write(to: damaged)
        let before = CLI.contents(of: dir)
        for file in [noise, cut, damaged, dir] {
            for container in ["mp4", "webm"] {
                let started = Date()
                let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", file.path,
                                          "--out", dir.appendingPathComponent("clip.\(container)").path, "--quiet"])
                let seconds = Date().timeIntervalSince(started)
                #expect(result.status == 1, "\(file.lastPathComponent) into .\(container): \(result.errors)")
                #expect(result.errors.hasPrefix("Error: \(file.path):") && result.errors.split(separator: "\n").count == 1, "\(result.errors)")
                #expect(seconds < 2, "\(file.lastPathComponent): \(seconds) s")
            }
        }
        #expect(CLI.contents(of: dir) == before, "nothing written")
    }

    /// An offset or length that leaves no audio under the video is refused before rendering.
    @Test func audioThatWouldNotBeUnderTheVideoIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        let model = try CLI.tinyModel(in: dir), poses = try CLI.poseFile(in: dir, frames: 90, fps: 30)
        let song = try Self.make(Self.sources[9], seconds: 2, in: dir)
        let before = CLI.contents(of: dir)
        let cases: [([String], String)] = [
            (["--audio-offset", "5"], "the audio starts at 5 s, after the clip's end (3 s)"),
            (["--audio-offset", "5", "--keep-length"], "the audio starts at 5 s, after the clip's end (3 s)"),
            (["--audio-offset=-2.5", "--keep-length"], "the audio offset -2.50 s skips the whole audio"),
            (["--audio-offset=-2.5"], "the audio offset -2.50 s skips the whole audio"),
            (["--audio-offset", "1e308"], "the audio offset 1e+308 s is not a number of seconds under a day"),
            (["--audio-offset", "1e18"], "the audio offset 1e+18 s is not a number of seconds under a day"),
        ]
        for (options, message) in cases {
            for container in ["mp4", "mkv"] {
                let result = try CLI.run(["render", "--model", model.path, "--poses", poses.path, "--audio", song.path]
                                         + options + ["--out", dir.appendingPathComponent("clip.\(container)").path, "--quiet"])
                #expect(result.status == 1 && result.errors.contains("\(song.path): \(message)"), "\(options): \(result.errors)")
                #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)")
            }
        }
        #expect(CLI.contents(of: dir) == before, "nothing written")
    }
}
