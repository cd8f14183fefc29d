/* test_e2e.c: placeholder. */
int main(void) { return 77; }
