package dev.idefics4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code idefics4j} command line. */
@Command(name = "idefics4j", mixinStandardHelpOptions = true, version = "idefics4j 0.1.0",
        description = "IDEFICS vision-language model on the JVM.",
        subcommands = {TaskCommands.Caption.class, TaskCommands.Ask.class, TaskCommands.Classify.class,
                TaskCommands.Describe.class, ChatCommand.class, ServeCommand.class, GenerateCommand.class,
                BatchCommand.class, SparkBatchCommand.class, ScoreCommand.class, EncodeCommand.class,
                TokenizeCommand.class, DownloadCommand.class, QuantizeCommand.class, RandomCheckpointCommand.class,
                InspectCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Users get the message that names the problem, not a stack trace.
            cmd.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("IDEFICS4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
