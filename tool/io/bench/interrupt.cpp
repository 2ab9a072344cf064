#include "io/bench/interrupt.h"

#include <signal.h>

#include "io/pg/pg_session.h"

namespace preflight::bench {

namespace {

std::atomic<bool> g_interrupted{false};
volatile sig_atomic_t g_signal = 0;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};
bool g_installed_int = false;
bool g_installed_term = false;

extern "C" void on_interrupt(int sig) {
  // The flag first: a traffic connection whose statement the cancel below ends must see that
  // the run is stopping, and not count the cancellation as the application's error.
  g_interrupted.store(true);
  g_signal = sig;
  pg::cancel_running_statements();
  // The next signal takes the usual way out.
  if (sig == SIGINT) sigaction(SIGINT, &g_previous_int, nullptr);
  if (sig == SIGTERM) sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool install(int sig, struct sigaction& previous) {
  if (sigaction(sig, nullptr, &previous) != 0 || previous.sa_handler == SIG_IGN) return false;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  return sigaction(sig, &action, nullptr) == 0;
}

} // namespace

InterruptScope::InterruptScope() {
  g_interrupted = false;
  g_signal = 0;
  g_installed_int = install(SIGINT, g_previous_int);
  g_installed_term = install(SIGTERM, g_previous_term);
}

InterruptScope::~InterruptScope() {
  if (g_installed_int) sigaction(SIGINT, &g_previous_int, nullptr);
  if (g_installed_term) sigaction(SIGTERM, &g_previous_term, nullptr);
}

const std::atomic<bool>& InterruptScope::flag() const {
  return g_interrupted;
}

int InterruptScope::signal_number() const {
  return g_signal;
}

} // namespace preflight::bench
