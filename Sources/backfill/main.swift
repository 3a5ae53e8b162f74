import AlertQueue
import CommandLineSupport
import Diagnostics

let command = CommandDescription(
    name: "backfill",
    overview: "Puts dead letters back on the queue, once the cause of their failure is fixed.",
    options: QueueOptions.definitions + [
        .option("reason", valueName: "text", help: "Only dead letters whose reason contains this text."),
        .option("limit", valueName: "count", help: "Move at most this many."),
        .flag("dry-run", help: "Show what would move; move nothing."),
        StandardOptions.logFormat, StandardOptions.logLevel,
    ],
    discussion: "Safe to run while processors run, and to run twice: a dead letter moves at most once.")

Program.run(command) { context in
    let options = context.options
    let queue = try QueueOptions.configuration(from: options)
    let limit = try options.int("limit", in: 0...Int.max)
    let dryRun = options.flag("dry-run")
    let backend = try queue.makeBackend(consumer: "backfill", logger: context.logger)

    let moved = try backend.redrive(reason: options.string("reason"), limit: limit, dryRun: dryRun)
    let tag = dryRun ? "[WOULD-REDRIVE]" : "[REDRIVEN]"
    for alert in moved {
        LineOutput.standardOutput.write(line: "\(tag) \(alert.id) \(alert.reason)")
    }
    let verb = dryRun ? "would move" : "moved"
    LineOutput.standardOutput.write(line: "backfill \(verb) \(moved.count) dead letter(s) to pending")
}
