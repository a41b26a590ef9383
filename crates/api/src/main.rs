use clap::Parser;
use msp_api::{
    cli::{Cli, Command, run},
    config::{Config, LogFormat},
    telemetry,
};

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            // Even this line is JSON when JSON logs were asked for.
            if std::env::var("MSP_LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
                eprintln!(
                    "{}",
                    serde_json::json!({"level": "ERROR", "message": "invalid configuration", "errors": err.0})
                );
            } else {
                eprintln!("{err}");
            }
            return std::process::ExitCode::from(2);
        }
    };
    // A one-off command logs warnings only, unless MSP_LOG_LEVEL says otherwise: its standard
    // error is for its own progress and summary.
    let level_set = std::env::var("MSP_LOG_LEVEL").is_ok_and(|l| !l.trim().is_empty());
    let level = if matches!(command, Command::Serve) || level_set {
        config.log_level.clone()
    } else {
        "warn".to_owned()
    };
    telemetry::init(&level, config.log_format);
    let json = config.log_format == LogFormat::Json;
    match run(command, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            if json {
                tracing::error!(error = %format!("{err:#}"), "stopped");
            } else {
                eprintln!("error: {err:#}");
            }
            std::process::ExitCode::FAILURE
        }
    }
}
