// Headers only: see include/CPeelBenchPoll.h.
