#include "cli/app.h"

int main(int argc, char** argv) {
  return preflight::cli::run(argc, argv);
}
