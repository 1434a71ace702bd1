import CFFmpeg
import Foundation

/// An audio track to lay under a render: the file, when it starts, and which of the two sets the length.
public struct AudioTrack: Equatable, Sendable {
    /// Any file FFmpeg reads with an audio stream (the best one is taken).
    public var file: URL
    /// Seconds the audio is moved by: positive starts it that late into the video, negative skips
    /// that much of its beginning.
    public var offset: Double
    /// Keep both streams whole; otherwise the longer one is cut to the shorter (the video loses its
    /// last frames, or the audio is cut at the video's end).
    public var keepLength: Bool

    /// The largest offset either way, in seconds (a day).
    public static let offsetLimit = 86_400.0

    /// A track from `file`.
    public init(file: URL, offset: Double = 0, keepLength: Bool = false) {
        self.file = file
        self.offset = offset
        self.keepLength = keepLength
    }

    /// How many of a clip's `count` frames at `fps` to render under this track: all of them, or,
    /// unless the track keeps its length, no more than the audio lasts.
    ///
    /// - Throws: ``PSGANError`` naming the audio file when the offset is not a number of seconds
    ///   under a day, the file has no audio psgan can read, or no audio would lie under the video
    ///   (the offset skips all of it, or starts it after the clip's end).
    public func frames(toRender count: Int, fps: Double) throws -> Int {
        guard count > 0 else { return count }
        guard offset.isFinite, abs(offset) < Self.offsetLimit else {
            throw PSGANError(.input, url: file, problem: "the audio offset \(Self.text(offset)) is not a number of seconds under a day")
        }
        let length = try duration()
        let end = length + offset
        guard end > 0 else {
            throw PSGANError(.input, url: file, problem: "the audio offset \(Self.text(offset)) skips the whole audio "
                + "(\(Self.text(length)) long); no audio would be under the video")
        }
        let seconds = Double(count) / fps
        guard offset < seconds else {
            throw PSGANError(.input, url: file, problem: "the audio starts at \(Self.text(offset)), after the clip's end "
                + "(\(Self.text(seconds))); no audio would be under the video")
        }
        guard !keepLength else { return count }
        let covered = (end * fps).rounded()
        guard covered >= 1 else {
            throw PSGANError(.input, url: file, problem: "the audio (after the offset) is shorter than one frame")
        }
        return covered < Double(count) ? Int(covered) : count
    }

    /// ``frames(toRender:fps:)`` for a clip written to `output`; a folder of PNG frames takes no
    /// audio (``VideoWriter`` refuses it) and keeps `count`.
    func frames(toRender count: Int, fps: Double, output: URL) throws -> Int {
        VideoContainer(fileExtension: output.pathExtension) == nil ? count : try frames(toRender: count, fps: fps)
    }

    /// Seconds for messages: `2.5 s`, `1e+30 s`.
    static func text(_ seconds: Double) -> String {
        abs(seconds) < 1e6 ? "\(seconds.displayed(decimals: 2)) s" : String(format: "%g s", seconds)
    }

    /// The audio's length in seconds, as its file's header gives it (before any offset).
    func duration() throws -> Double {
        let input = try AudioInput(track: self)
        let stream = input.stream
        var seconds = stream.pointee.duration != psgan_av_nopts_value()
            ? Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
            : Double(input.context.pointee.duration) / Double(AV_TIME_BASE)
        if !(seconds.isFinite && seconds > 0) { seconds = 0 }
        return seconds
    }
}

/// An audio track's file opened for reading, with its best audio stream chosen (every other stream
/// is skipped when packets are read).
final class AudioInput {
    /// The open file.
    let context: UnsafeMutablePointer<AVFormatContext>
    /// The index of the audio stream.
    let index: Int
    /// The file as messages name it.
    let path: String

    /// Opens `track`'s file and reads its stream info.
    init(track: AudioTrack) throws {
        path = PSGANError.displayPath(of: track.file)
        FFmpegLog.start()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: track.file.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PSGANError(.input, file: path, "is a directory, not an audio file")
        }
        var opening: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&opening, track.file.path, nil, nil)
        guard opened >= 0, let context = opening else {
            throw PSGANError(.input, file: path, "cannot open the audio file (\(FFmpegLog.message(opened)))")
        }
        let info = avformat_find_stream_info(context, nil)
        let index = info >= 0 ? av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0) : -1
        guard info >= 0, index >= 0, context.pointee.streams[Int(index)] != nil else {
            avformat_close_input(&opening)
            throw PSGANError(.input, file: path, info < 0 ? "cannot read the stream info (\(FFmpegLog.message(info)))" : "has no audio stream")
        }
        for other in 0 ..< Int(context.pointee.nb_streams) where other != Int(index) {
            context.pointee.streams[other]?.pointee.discard = AVDISCARD_ALL
        }
        self.context = context
        self.index = Int(index)
    }

    deinit {
        var owned: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&owned)
    }

    /// Whether the file at `url` opens with an audio stream.
    static func hasAudio(_ url: URL) -> Bool {
        (try? AudioInput(track: AudioTrack(file: url))) != nil
    }

    /// The audio stream.
    var stream: UnsafeMutablePointer<AVStream> { context.pointee.streams[index]! }
}
